package com.latticeengine.engine;

import com.latticeengine.config.LatticeConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of
 * initial * 2^(n-1) (capped), so retries of many tasks failing together spread out.
 */
@ApplicationScoped
public class Backoff {

    private final long initialMs;
    private final long maxMs;

    public Backoff(LatticeConfig config) {
        this.initialMs = config.retry().initialBackoff().toMillis();
        this.maxMs = config.retry().maxBackoff().toMillis();
    }

    public long afterAttempt(int attempt) {
        long base = Math.min(maxMs, initialMs << Math.min(attempt - 1, 30));
        long half = base / 2;
        return half + ThreadLocalRandom.current().nextLong(base - half + 1);
    }
}
