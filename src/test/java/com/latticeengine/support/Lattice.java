package com.latticeengine.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds submission bodies for tests, in the wire format (snake_case maps). */
public final class Lattice {

    private final List<Map<String, Object>> projects = new ArrayList<>();
    private final List<Map<String, Object>> flows = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private String requirements = "The system shall be tested.";

    public static Lattice create() {
        return new Lattice();
    }

    public Lattice requirements(String requirements) {
        this.requirements = requirements;
        return this;
    }

    public Lattice project(String name, int layer) {
        return project(name, layer, null, Map.of());
    }

    public Lattice project(String name, int layer, String parent) {
        return project(name, layer, parent, Map.of());
    }

    /** {@code simulate} shapes the simulated processor: latency_ms, fail_attempts, fail, ... */
    public Lattice project(String name, int layer, String parent, Map<String, Object> simulate) {
        Map<String, Object> project = new LinkedHashMap<>();
        project.put("name", name);
        project.put("layer", layer);
        project.put("parent_name", parent);
        project.put("description", "Project " + name);
        if (!simulate.isEmpty()) {
            project.put("simulate", simulate);
        }
        projects.add(project);
        return this;
    }

    public Lattice flow(String from, String to, String dataType) {
        return flow(from, to, dataType, true);
    }

    public Lattice flow(String from, String to, String dataType, boolean required) {
        return flow(from, to, dataType, required, Map.of());
    }

    /** {@code extra}: further data-flow fields as ODRAS writes them (description, trigger_event). */
    public Lattice flow(String from, String to, String dataType, boolean required, Map<String, Object> extra) {
        Map<String, Object> flow = new LinkedHashMap<>();
        flow.put("from_project", from);
        flow.put("to_project", to);
        flow.put("data_type", dataType);
        if (!required) {
            flow.put("required", false);
        }
        flow.putAll(extra);
        flows.add(flow);
        return this;
    }

    /** Sets (or replaces) one field of an already added project, e.g. its description or an extra field. */
    public Lattice field(String project, String key, Object value) {
        projects.stream().filter(p -> project.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no project " + project))
                .put(key, value);
        return this;
    }

    public Lattice option(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requirements", requirements);
        body.put("lattice", Map.of("projects", projects, "data_flows", flows));
        body.put("processor", "simulated");
        body.putAll(extra);
        return body;
    }

    /**
     * A random layered DAG: project i takes up to three links from earlier projects (a parent
     * and/or data flows), so every edge points forward and the result is acyclic by construction.
     */
    public static Lattice randomDag(int size, long seed, int maxLatencyMs) {
        java.util.Random random = new java.util.Random(seed);
        Lattice lattice = create();
        for (int i = 0; i < size; i++) {
            String parent = i > 0 && random.nextInt(3) == 0 ? "p" + random.nextInt(i) : null;
            Map<String, Object> simulate = Map.of("latency_ms", maxLatencyMs == 0 ? 0 : random.nextInt(maxLatencyMs + 1));
            lattice.project("p" + i, 1 + i / Math.max(1, size / 5), parent, simulate);
            int flows = i == 0 ? 0 : random.nextInt(3);
            for (int f = 0; f < flows; f++) {
                lattice.flow("p" + random.nextInt(i), "p" + i, "d" + f);
            }
        }
        return lattice;
    }
}
