package com.latticeengine.api;

import com.latticeengine.store.AttemptRecord;
import com.latticeengine.store.RunBudget;
import com.latticeengine.store.InputRow;
import com.latticeengine.store.RunEvent;
import com.latticeengine.store.RunListItem;
import com.latticeengine.store.RunRecord;
import com.latticeengine.store.RunTotals;
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

    static RunSummary summary(RunListItem run, RunTotals.Totals totals) {
        return new RunSummary(run.id(), run.tenant(), run.state(), run.processor(), run.taskCount(), run.createdAt(),
                run.finishedAt(), counts(totals.counts()), usage(totals.usage()));
    }

    static RunView run(RunRecord run) {
        return new RunView(run.id(), run.tenant(), run.state(),
                run.pausedReason() == null ? null : run.pausedReason().wireName(), run.processor(), run.maxAttempts(),
                run.taskTimeoutMs(),
                run.optionsJson(), run.latticeMetadataJson(), run.warningsJson(), run.createdAt(), run.finishedAt(),
                counts(run.counts()), usage(run.usage()), budget(run.budget()),
                run.tasks() == null ? null : tasks(run.tasks()));
    }

    private static Map<String, Integer> counts(Map<TaskState, Integer> byState) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        byState.forEach((state, n) -> counts.put(state.name().toLowerCase(), n));
        return counts;
    }

    private static RunView.Usage usage(RunRecord.Usage u) {
        return new RunView.Usage(u.calls(), u.cached(), u.inputTokens(), u.outputTokens(), u.costUsd());
    }

    private static RunView.Budget budget(RunBudget b) {
        return b == null ? null : new RunView.Budget(b.budget().maxTokens(), b.budget().maxCostUsd(),
                new RunView.Amount(b.spentTokens(), b.spentCostUsd()),
                new RunView.Amount(b.reservedTokens(), b.reservedCostUsd()));
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
                row.fromState(), row.fromState() == TaskState.SUCCEEDED ? row.outputJson() : null, row.error(),
                row.fromState() == TaskState.AWAITING_REVIEW);
    }

    private static TaskDetail.Attempt attempt(AttemptRecord a) {
        return new TaskDetail.Attempt(a.attempt(), a.workerId(), a.startedAt(), a.finishedAt(), a.outcome(),
                a.error(), a.cached(), a.model(), a.inputTokens(), a.outputTokens(), a.latencyMs(), a.costUsd(),
                a.calls(), review(a.review()));
    }

    private static TaskDetail.Review review(AttemptRecord.Review r) {
        return r == null ? null : new TaskDetail.Review(r.reason(), r.decision(), r.reviewedBy(), r.reviewedAt(),
                r.comment(), r.editedOutputJson());
    }

    static RunEventView event(RunEvent e) {
        boolean review = e.reviewDecision() != null;
        return new RunEventView(e.taskName(), e.state(), e.attempt(), review ? null : e.workerId(), e.at(),
                e.reviewDecision(), review ? e.workerId() : null);
    }
}
