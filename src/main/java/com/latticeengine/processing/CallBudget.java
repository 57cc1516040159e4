package com.latticeengine.processing;

import java.math.BigDecimal;

/**
 * The run's budget as one attempt's processor sees it: a paid call is made only after its worst
 * case was reserved, and every reservation is settled to the call's actual usage. The engine
 * implements it on the run's budget in the database, shared by every replica and slot.
 */
public interface CallBudget {

    /** For runs and callers without a budget (unit tests, previews): every call fits. */
    CallBudget UNLIMITED = new CallBudget() {
        @Override
        public boolean capped() {
            return false;
        }

        @Override
        public Reservation reserve(long tokens, BigDecimal costUsd) {
            return (actualTokens, actualCostUsd) -> { };
        }
    };

    /**
     * Whether the run has a cap: then a call without max_tokens is sent with the reserve allowance
     * as its limit. True when it cannot be told: a cap must never be missed.
     */
    boolean capped();

    /**
     * Reserves one call's worst case ({@code costUsd} null for an unpriced model).
     *
     * @throws OverBudgetException when the budget cannot cover it: the call must not be made
     */
    Reservation reserve(long tokens, BigDecimal costUsd) throws ProcessingException;

    /** One reserved call. */
    interface Reservation {
        /** The call's actual usage replaces the reservation; a call that failed without a bill settles at 0. */
        void settle(long tokens, BigDecimal costUsd);
    }
}
