package com.latticeengine.api;

import com.latticeengine.store.RunState;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** A run in GET /api/runs, with its task counts per state (lower case) and usage, so a list can show progress. */
public record RunSummary(UUID id, String tenant, RunState state, String processor, int taskCount,
                         OffsetDateTime createdAt, OffsetDateTime finishedAt, Map<String, Integer> counts,
                         RunView.Usage usage) {
}
