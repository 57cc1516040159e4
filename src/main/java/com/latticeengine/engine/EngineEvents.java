package com.latticeengine.engine;

import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.ClaimedTask;

import java.util.List;

/**
 * What the engine tells the outside about its work, as it happens: claims, results recorded or
 * refused by the fence, attempts abandoned, leases lost. The engine defines it and knows no
 * implementation; {@code ops} implements it for Micrometer. Implementations are called on the
 * hot path: they must be cheap and must not throw.
 */
public interface EngineEvents {

    /** A claim round took these tasks (possibly none); {@code claimNanos} is how long the claim took. */
    void claimed(List<ClaimedTask> tasks, long claimNanos);

    /**
     * The result of attempt {@code attempt} of task {@code taskId} was written: {@code applied}
     * when the fenced write changed the task, false when the fence refused it (the task was no
     * longer this worker's).
     */
    void recorded(long taskId, AttemptOutcome outcome, boolean applied);

    /** One database write of {@code results} results took {@code nanos}. */
    void resultsWritten(int results, long nanos);

    /** The attempt was stopped (taken away, cancelled, shut down) and nothing is recorded for it here. */
    void abandoned(long taskId);

    /** The reaper took back this many tasks whose lease had expired. */
    void lost(int tasks);
}
