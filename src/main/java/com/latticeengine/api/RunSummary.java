package com.latticeengine.api;

import com.latticeengine.store.RunState;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A run in GET /api/runs. */
public record RunSummary(UUID id, String tenant, RunState state, String processor, int taskCount, OffsetDateTime createdAt,
                         OffsetDateTime finishedAt) {
}
