package com.latticeengine.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Builds run submissions (the JSON body of {@code POST /api/runs}) for the simulated processor. */
public final class Lattices {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Lattices() {
    }

    /** A submission plus the dependency graph it encodes, for checking what the engine did. */
    public record Submission(ObjectNode json, Map<String, Set<String>> upstream, int links) {

        public int size() {
            return upstream.size();
        }

        /** Distinct (upstream, downstream) pairs: what the engine's counters count. */
        public int dependencies() {
            return upstream.values().stream().mapToInt(Set::size).sum();
        }
    }

    /**
     * A random layered DAG of {@code n} projects named P0000, P0001, ... Each project has 0 to 3
     * upstream projects, drawn from the {@code window} projects just before it (a window of
     * {@code n} draws from all earlier projects; a small window makes a deep, narrow lattice).
     * Each upstream link is a parent link or a data flow (sometimes both, which the engine must
     * count as one dependency), and each project's simulated latency is drawn from
     * [{@code minLatencyMs}, {@code maxLatencyMs}]. The same seed always gives the same lattice.
     */
    public static Submission random(long seed, int n, int window, int minLatencyMs, int maxLatencyMs,
                                    int maxAttempts) {
        Random random = new Random(seed);
        Builder builder = new Builder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.format("P%04d", i);
            List<String> candidates = new ArrayList<>(names.subList(Math.max(0, i - window), i));
            Collections.shuffle(candidates, random);
            int k = candidates.isEmpty() || random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3);
            List<String> upstream = candidates.subList(0, Math.min(k, candidates.size()));
            String parent = null;
            List<String> flowsFrom = new ArrayList<>();
            for (int u = 0; u < upstream.size(); u++) {
                if (u == 0 && random.nextBoolean()) {
                    parent = upstream.get(u);
                    if (random.nextInt(5) == 0) {
                        flowsFrom.add(parent); // parent and data flow: two inputs, one dependency
                    }
                } else {
                    flowsFrom.add(upstream.get(u));
                }
            }
            int latency = minLatencyMs + random.nextInt(maxLatencyMs - minLatencyMs + 1);
            builder.project(name, latency, parent, flowsFrom.toArray(String[]::new));
            names.add(name);
        }
        return builder.build("Random lattice of " + n + " projects (seed " + seed + ")", maxAttempts);
    }

    /** Hand-made lattices. Upstream projects must be added before their downstream ones. */
    /** {@code n} independent projects P00, P01, ... for the llm processor and {@code model}, uncached: a call per task. */
    public static Submission llmFlat(int n, String requirements, String model) {
        Builder builder = new Builder();
        for (int i = 0; i < n; i++) {
            builder.project(String.format("P%02d", i), 0, null);
        }
        Submission submission = builder.build(requirements, 1);
        submission.json().put("processor", "llm");
        submission.json().put("cache", false);
        submission.json().putObject("llm").put("model", model);
        return submission;
    }

    public static final class Builder {
        private final ArrayNode projects = MAPPER.createArrayNode();
        private final ArrayNode flows = MAPPER.createArrayNode();
        private final Map<String, Set<String>> upstream = new LinkedHashMap<>();
        private final Map<String, Integer> layers = new LinkedHashMap<>();
        private int links;

        /** A project with a parent (or null) and data flows from {@code flowsFrom}, all already added. */
        public Builder project(String name, int latencyMs, String parent, String... flowsFrom) {
            if (layers.containsKey(name)) {
                throw new IllegalArgumentException("duplicate project " + name);
            }
            Set<String> ups = new LinkedHashSet<>();
            if (parent != null) {
                ups.add(parent);
                links++;
            }
            for (String from : flowsFrom) {
                ups.add(from);
                ObjectNode flow = flows.addObject();
                flow.put("from_project", from);
                flow.put("to_project", name);
                flow.put("data_type", "findings-of-" + from);
                links++;
            }
            int layer = 1;
            for (String up : ups) {
                Integer upLayer = layers.get(up);
                if (upLayer == null) {
                    throw new IllegalArgumentException(name + ": upstream " + up + " not added yet");
                }
                layer = Math.max(layer, upLayer + 1);
            }
            ObjectNode project = projects.addObject();
            project.put("name", name);
            project.put("layer", layer);
            if (parent == null) {
                project.putNull("parent_name");
            } else {
                project.put("parent_name", parent);
            }
            project.put("description", "integration test project " + name);
            project.putObject("simulate").put("latency_ms", latencyMs);
            layers.put(name, layer);
            upstream.put(name, Collections.unmodifiableSet(ups));
            return this;
        }

        public Submission build(String requirements, int maxAttempts) {
            ObjectNode json = MAPPER.createObjectNode();
            json.put("requirements", requirements);
            ObjectNode lattice = json.putObject("lattice");
            lattice.set("projects", projects.deepCopy());
            lattice.set("data_flows", flows.deepCopy());
            json.put("processor", "simulated");
            json.put("max_attempts", maxAttempts);
            return new Submission(json, Collections.unmodifiableMap(new LinkedHashMap<>(upstream)), links);
        }
    }
}
