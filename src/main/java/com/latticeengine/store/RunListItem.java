package com.latticeengine.store;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A run in the run list. */
public record RunListItem(UUID id, String tenant, RunState state, String processor, int taskCount, OffsetDateTime createdAt,
                          OffsetDateTime finishedAt) {
}
