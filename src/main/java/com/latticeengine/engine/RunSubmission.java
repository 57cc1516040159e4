package com.latticeengine.engine;

import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.Warning;
import com.latticeengine.store.Callback;
import com.latticeengine.store.Budget;

import java.util.List;
import java.util.Map;

/**
 * A parsed and validated run request; optional settings are null when not given. {@code prompts}
 * ({system, user} templates) and {@code context} (any object) go to the processor. {@code warnings}
 * are kept with the run and shown in its view; they never stop it. {@code callback}: where the run's
 * webhooks go, or null. {@code review} is the run's review gate (checked: see ReviewGate), for every
 * project without its own. {@code budget}: the run's caps (null = the configured default).
 */
public record RunSubmission(String requirements, Lattice lattice, String processor, Integer maxAttempts,
                            Long taskTimeoutMs, Boolean cache, Map<String, Object> llm, Map<String, Object> prompts,
                            Map<String, Object> context, List<Warning> warnings, Callback callback,
                            Map<String, Object> review, Budget budget) {
    public RunSubmission {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
