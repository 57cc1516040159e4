package com.latticeengine.store;

import java.math.BigDecimal;

/** A run's caps: total tokens (prompt + completion) and total cost in USD; null = no cap of that kind. */
public record Budget(Long maxTokens, BigDecimal maxCostUsd) {

    public static final Budget NONE = new Budget(null, null);
}
