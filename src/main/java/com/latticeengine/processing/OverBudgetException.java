package com.latticeengine.processing;

import java.math.BigDecimal;

/**
 * The run's budget cannot cover the attempt's next call, so it was not made: the engine gives the
 * task back without spending an attempt and pauses the run when the budget is used up.
 * {@code neededTokens}, {@code neededCostUsd}: the call's worst case (cost null when unpriced).
 */
public class OverBudgetException extends ProcessingException {

    private final long neededTokens;
    private final BigDecimal neededCostUsd;

    public OverBudgetException(long neededTokens, BigDecimal neededCostUsd, Usage usage) {
        super("the run's budget cannot cover the next model call (worst case " + neededTokens + " tokens"
                + (neededCostUsd == null ? ", unpriced" : ", $" + neededCostUsd.toPlainString()) + ")", true, usage);
        this.neededTokens = neededTokens;
        this.neededCostUsd = neededCostUsd;
    }

    /** The same refusal, with what the attempt's earlier calls used. */
    public OverBudgetException withUsage(Usage usage) {
        return new OverBudgetException(neededTokens, neededCostUsd, usage);
    }

    public long neededTokens() {
        return neededTokens;
    }

    public BigDecimal neededCostUsd() {
        return neededCostUsd;
    }
}
