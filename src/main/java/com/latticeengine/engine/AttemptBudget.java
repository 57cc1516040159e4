package com.latticeengine.engine;

import com.latticeengine.processing.CallBudget;
import com.latticeengine.processing.OverBudgetException;
import com.latticeengine.processing.ProcessingException;
import com.latticeengine.store.BudgetStore;
import com.latticeengine.store.ClaimedTask;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The run's budget for one claimed attempt: each call's reservation is keyed by (task, attempt,
 * call number), so it belongs to this attempt and is charged by the reaper's sweep if the attempt
 * ends without settling it. Store calls repeat while the lease holds, like the recorder's.
 */
final class AttemptBudget implements CallBudget {

    private final BudgetStore store;
    private final LeaseBoundRetry retry;
    private final ClaimedTask task;
    private final String workerId;
    private Boolean capped;
    private int calls;

    AttemptBudget(BudgetStore store, LeaseBoundRetry retry, ClaimedTask task, String workerId) {
        this.store = store;
        this.retry = retry;
        this.task = task;
        this.workerId = workerId;
    }

    /** Read once per attempt; when the database cannot say, the run is treated as capped. */
    @Override
    public synchronized boolean capped() {
        if (capped == null) {
            capped = retry.call("read the run's budget", () -> store.hasCap(task.runId())).orElse(true);
        }
        return capped;
    }

    @Override
    public synchronized Reservation reserve(long tokens, BigDecimal costUsd) throws ProcessingException {
        int call = ++calls;
        Optional<Boolean> reserved = retry.call("reserve a model call against the run's budget", () ->
                store.reserve(task.runId(), task.id(), task.attempt(), workerId, call, tokens, costUsd));
        if (reserved.isEmpty()) {
            throw ProcessingException.retryable("could not reserve the call against the run's budget: the"
                    + " database did not answer");
        }
        if (!reserved.get()) {
            throw new OverBudgetException(tokens, costUsd, null);
        }
        return (actualTokens, actualCostUsd) -> retry.call("settle a model call against the run's budget", () -> {
            store.settle(task.id(), task.attempt(), call, actualTokens, actualCostUsd);
            return true;
        });
    }
}
