package com.latticeengine.lattice;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Dependency graph of a lattice; edges point upstream -> downstream. Everything is precomputed in
 * O(V+E) and all traversals are iterative because lattices can hold long chains (20,000 nodes).
 */
public final class LatticeGraph {
    private final List<String> names;
    private final Map<String, Integer> index;
    private final List<List<Input>> inputs;
    private final List<List<String>> upstream;
    private final List<List<String>> downstream;
    private final int[][] downstreamIdx;
    private final List<String> cycle;     // empty when acyclic
    private final List<String> topoOrder; // null when cyclic
    private final int[] pathToEnd;        // null when cyclic

    private LatticeGraph(List<String> names, Map<String, Integer> index, List<List<Input>> inputs) {
        this.names = Collections.unmodifiableList(names);
        this.index = index;
        int n = names.size();
        List<List<String>> up = new ArrayList<>(n);
        List<List<String>> down = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            down.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            LinkedHashSet<String> distinct = new LinkedHashSet<>();
            for (Input in : inputs.get(i)) {
                distinct.add(in.fromProject());
            }
            up.add(List.copyOf(distinct));
            // Iterating targets in submission order keeps downstream lists deterministic and distinct.
            for (String from : distinct) {
                down.get(index.get(from)).add(names.get(i));
            }
        }
        this.inputs = inputs.stream().map(List::copyOf).toList();
        this.upstream = up;
        this.downstream = down.stream().map(List::copyOf).toList();
        this.downstreamIdx = new int[n][];
        for (int i = 0; i < n; i++) {
            downstreamIdx[i] = downstream.get(i).stream().mapToInt(index::get).toArray();
        }
        this.cycle = detectCycle();
        this.topoOrder = cycle.isEmpty() ? kahn() : null;
        this.pathToEnd = cycle.isEmpty() ? longestPathsToEnd() : null;
    }

    /**
     * Builds the graph. Requires distinct project names and known endpoints (i.e. a lattice that
     * passed {@link LatticeValidator}, or at least its naming rules); cycles are tolerated so that
     * {@link #findCycle()} can report them.
     */
    public static LatticeGraph of(Lattice lattice) {
        List<String> names = new ArrayList<>(lattice.projects().size());
        Map<String, Integer> index = new HashMap<>();
        List<List<Input>> inputs = new ArrayList<>();
        for (Project p : lattice.projects()) {
            if (index.putIfAbsent(p.name(), names.size()) != null) {
                throw new IllegalArgumentException("duplicate project name '" + p.name() + "'");
            }
            names.add(p.name());
            inputs.add(new ArrayList<>());
        }
        for (Project p : lattice.projects()) {
            if (p.parentName() != null) {
                requireKnown(index, p.parentName());
                inputs.get(index.get(p.name())).add(Input.parent(p.parentName()));
            }
        }
        for (DataFlow f : lattice.dataFlows()) {
            requireKnown(index, f.fromProject());
            requireKnown(index, f.toProject());
            inputs.get(index.get(f.toProject())).add(Input.of(f));
        }
        return new LatticeGraph(names, index, inputs);
    }

    private static void requireKnown(Map<String, Integer> index, String name) {
        if (name == null || !index.containsKey(name)) {
            throw new IllegalArgumentException("unknown project '" + name + "'");
        }
    }

    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return index.containsKey(name);
    }

    public List<Input> inputsOf(String name) {
        return inputs.get(idx(name));
    }

    public List<String> upstreamOf(String name) {
        return upstream.get(idx(name));
    }

    public List<String> downstreamOf(String name) {
        return downstream.get(idx(name));
    }

    public Set<String> downstreamClosure(String name) {
        int start = idx(name);
        boolean[] seen = new boolean[names.size()];
        seen[start] = true;
        LinkedHashSet<String> result = new LinkedHashSet<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        while (!queue.isEmpty()) {
            for (int v : downstreamIdx[queue.poll()]) {
                if (!seen[v]) {
                    seen[v] = true;
                    result.add(names.get(v));
                    queue.add(v);
                }
            }
        }
        return result;
    }

    /** Upstream before downstream; ties broken by submission order. */
    public List<String> topologicalOrder() {
        if (topoOrder == null) {
            throw new IllegalStateException("lattice has a cycle: " + String.join(" -> ", cycle));
        }
        return topoOrder;
    }

    /**
     * Number of projects on the longest dependency chain that starts at this project: 1 for a
     * project nothing depends on. Running the project with the longest chain first is the
     * critical-path list schedule, which keeps slots busy when a lattice is wider than its slots.
     */
    public int pathLengthToEnd(String name) {
        if (pathToEnd == null) {
            throw new IllegalStateException("lattice has a cycle: " + String.join(" -> ", cycle));
        }
        return pathToEnd[idx(name)];
    }

    /** One cycle in dependency order, starting at its earliest-submitted project and repeating it at the end. */
    public Optional<List<String>> findCycle() {
        return cycle.isEmpty() ? Optional.empty() : Optional.of(cycle);
    }

    private int idx(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("unknown project '" + name + "'");
        }
        return i;
    }

    private List<String> kahn() {
        int n = names.size();
        int[] remaining = new int[n];
        int[] queue = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            remaining[i] = upstream.get(i).size();
            if (remaining[i] == 0) {
                queue[tail++] = i;
            }
        }
        while (head < tail) {
            for (int v : downstreamIdx[queue[head++]]) {
                if (--remaining[v] == 0) {
                    queue[tail++] = v;
                }
            }
        }
        List<String> order = new ArrayList<>(n);
        for (int i = 0; i < tail; i++) {
            order.add(names.get(queue[i]));
        }
        return List.copyOf(order);
    }

    private int[] longestPathsToEnd() {
        int[] length = new int[names.size()];
        for (int i = topoOrder.size() - 1; i >= 0; i--) {
            int v = index.get(topoOrder.get(i));
            int longest = 0;
            for (int w : downstreamIdx[v]) {
                longest = Math.max(longest, length[w]);
            }
            length[v] = longest + 1;
        }
        return length;
    }

    /** Iterative three-colour DFS; the explicit stack is exactly the current path, so a back edge yields the cycle. */
    private List<String> detectCycle() {
        int n = names.size();
        byte[] state = new byte[n]; // 0 unvisited, 1 on path, 2 done
        int[] stack = new int[n];
        int[] next = new int[n];
        int[] pos = new int[n];
        for (int s = 0; s < n; s++) {
            if (state[s] != 0) {
                continue;
            }
            int sp = 0;
            state[s] = 1;
            pos[s] = sp;
            stack[sp++] = s;
            while (sp > 0) {
                int u = stack[sp - 1];
                if (next[u] < downstreamIdx[u].length) {
                    int v = downstreamIdx[u][next[u]++];
                    if (state[v] == 0) {
                        state[v] = 1;
                        pos[v] = sp;
                        stack[sp++] = v;
                    } else if (state[v] == 1) {
                        return closedCycle(Arrays.copyOfRange(stack, pos[v], sp));
                    }
                } else {
                    state[u] = 2;
                    sp--;
                }
            }
        }
        return List.of();
    }

    private List<String> closedCycle(int[] path) {
        int start = 0;
        for (int i = 1; i < path.length; i++) {
            if (path[i] < path[start]) {
                start = i;
            }
        }
        List<String> out = new ArrayList<>(path.length + 1);
        for (int i = 0; i <= path.length; i++) {
            out.add(names.get(path[(start + i) % path.length]));
        }
        return List.copyOf(out);
    }
}
