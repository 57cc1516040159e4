package com.latticeengine.api;

import com.latticeengine.store.RunEntity;
import com.latticeengine.store.RunState;

import java.time.OffsetDateTime;
import java.util.UUID;

public record RunSummary(UUID id, RunState state, String processor, int taskCount, OffsetDateTime createdAt,
                         OffsetDateTime finishedAt) {

    static RunSummary of(RunEntity run) {
        return new RunSummary(run.id, run.state, run.processor, run.taskCount, run.createdAt, run.finishedAt);
    }
}
