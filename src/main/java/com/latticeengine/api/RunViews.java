package com.latticeengine.api;

import com.latticeengine.store.AttemptRecord;
import com.latticeengine.store.InputRow;
import com.latticeengine.store.RunEvent;
import com.latticeengine.store.RunListItem;
import com.latticeengine.store.RunRecord;
import com.latticeengine.store.TaskRecord;
import com.latticeengine.store.TaskRow;
import com.latticeengine.store.TaskState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the store's records to the API's response types: the one place that decides what a client sees. */
final class RunViews {

    private RunViews() {
    }

    static RunSummary summary(RunListItem run) {
        return new RunSummary(run.id(), run.tenant(), run.state(), run.processor(), run.taskCount(), run.createdAt(),
                run.finishedAt());
    }

    static RunView run(RunRecord run) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        run.counts().forEach((state, n) -> counts.put(state.name().toLowerCase(), n));
        RunRecord.Usage u = run.usage();
        return new RunView(run.id(), run.tenant(), run.state(), run.processor(), run.maxAttempts(), run.taskTimeoutMs(),
                run.optionsJson(), run.latticeMetadataJson(), run.warningsJson(), run.createdAt(), run.finishedAt(),
                counts,
                new RunView.Usage(u.calls(), u.cached(), u.inputTokens(), u.outputTokens(), u.costUsd()),
                run.tasks() == null ? null : tasks(run.tasks()));
    }

    static List<TaskSummary> tasks(List<TaskRow> rows) {
        return rows.stream().map(RunViews::task).toList();
    }

    static TaskSummary task(TaskRow t) {
        return new TaskSummary(t.name(), t.layer(), t.state(), t.remainingInputs(), t.priority(), t.upstream(),
                t.missingInputs(), t.attempts(), t.startedAt(), t.finishedAt());
    }

    static TaskDetail task(TaskRecord t) {
        return new TaskDetail(t.name(), t.layer(), t.state(), t.remainingInputs(), t.priority(), t.upstream(),
                t.missingInputs(), t.projectJson(), t.inputs().stream().map(RunViews::input).toList(),
                t.outputJson(), t.error(), t.readyAt(), t.startedAt(), t.finishedAt(),
                t.attempts().stream().map(RunViews::attempt).toList());
    }

    /** An upstream's output shows only once it succeeded; a failed upstream shows its error instead. */
    private static TaskDetail.Input input(InputRow row) {
        return new TaskDetail.Input(row.fromProject(), row.relation(), row.dataType(), row.required(),
                row.fromState(), row.fromState() == TaskState.SUCCEEDED ? row.outputJson() : null, row.error());
    }

    private static TaskDetail.Attempt attempt(AttemptRecord a) {
        return new TaskDetail.Attempt(a.attempt(), a.workerId(), a.startedAt(), a.finishedAt(), a.outcome(),
                a.error(), a.cached(), a.model(), a.inputTokens(), a.outputTokens(), a.latencyMs(), a.costUsd());
    }

    static RunEventView event(RunEvent e) {
        return new RunEventView(e.taskName(), e.state(), e.attempt(), e.workerId(), e.at());
    }
}
