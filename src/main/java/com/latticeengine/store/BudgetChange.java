package com.latticeengine.store;

import java.math.BigDecimal;

/**
 * A PATCH of a run's budget, merge-patch style: a cap that is {@code set} takes the new value (null
 * removes the cap), one that is not keeps its current value.
 */
public record BudgetChange(boolean setsMaxTokens, Long maxTokens, boolean setsMaxCostUsd, BigDecimal maxCostUsd) {
}
