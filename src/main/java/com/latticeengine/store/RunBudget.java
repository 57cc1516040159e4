package com.latticeengine.store;

import java.math.BigDecimal;

/**
 * A run's budget as stored: its caps (null = none), what its model calls spent, and what the calls
 * in flight have reserved (their worst case, until they settle to their actual usage).
 */
public record RunBudget(Budget budget, long spentTokens, BigDecimal spentCostUsd, long reservedTokens,
                        BigDecimal reservedCostUsd) {
}
