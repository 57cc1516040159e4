package com.latticeengine.layout;

import com.latticeengine.store.RunShapes;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Each run's layout, computed once per replica and kept: a run's shape never changes, and laying
 * out 2,000 projects takes a second or more. The most recently used runs are kept.
 */
@ApplicationScoped
public class RunLayouts {

    static final int CACHED_RUNS = 64;

    private final RunShapes shapes;
    private final Map<UUID, RunLayout> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, RunLayout> eldest) {
            return size() > CACHED_RUNS;
        }
    };

    public RunLayouts(RunShapes shapes) {
        this.shapes = shapes;
    }

    /** Empty when there is no such run. */
    public Optional<RunLayout> of(UUID runId) throws SQLException {
        synchronized (cache) {
            RunLayout cached = cache.get(runId);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        // Laid out outside the lock: two first requests for one run may both compute, same result.
        Optional<RunLayout> layout = shapes.of(runId).map(LatticeLayout::of);
        layout.ifPresent(computed -> {
            synchronized (cache) {
                cache.put(runId, computed);
            }
        });
        return layout;
    }
}
