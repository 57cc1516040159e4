package com.latticeengine.engine;

import com.latticeengine.lattice.Lattice;

import java.util.Map;

/** A parsed and validated run request; optional settings are null when not given. */
public record RunSubmission(String requirements, Lattice lattice, String processor, Integer maxAttempts,
                            Long taskTimeoutMs, Boolean cache, Map<String, Object> llm) {
}
