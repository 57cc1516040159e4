package com.latticeengine.lattice;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatticeGraphTest {

    private static Project p(String name, String parent) {
        return new Project(name, 1, parent, Map.of());
    }

    private static DataFlow f(String from, String to, String type) {
        return new DataFlow(from, to, type, true);
    }

    @Test
    void flowsWithSameSourceAndDifferentDataTypeAreTwoInputs() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null), p("B", null)),
                List.of(f("A", "B", "requirements"), new DataFlow("A", "B", "design", false))));
        assertEquals(List.of(new Input("A", Relation.DATA_FLOW, "requirements", true),
                new Input("A", Relation.DATA_FLOW, "design", false)), g.inputsOf("B"));
        assertEquals(List.of("A"), g.upstreamOf("B"));
        assertEquals(List.of("B"), g.downstreamOf("A"));
    }

    @Test
    void pathLengthToEndCountsTheLongestChainOfProjectsFromEachProject() {
        // A -> B -> C -> D and A -> E; F stands alone; E is also D's parent-less sibling input.
        LatticeGraph g = LatticeGraph.of(new Lattice(
                List.of(p("A", null), p("B", "A"), p("C", "B"), p("D", "C"), p("E", "A"), p("F", null)),
                List.of(f("E", "D", "x"))));
        assertEquals(4, g.pathLengthToEnd("A"));
        assertEquals(3, g.pathLengthToEnd("B"));
        assertEquals(2, g.pathLengthToEnd("E"));
        assertEquals(1, g.pathLengthToEnd("D"));
        assertEquals(1, g.pathLengthToEnd("F"));
    }

    @Test
    void pathLengthToEndRefusesACyclicLattice() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", "B"), p("B", "A")), List.of()));
        assertThrows(IllegalStateException.class, () -> g.pathLengthToEnd("A"));
    }

    @Test
    void flowsFromDifferentSourcesSharingDataTypeAreNotMerged() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null), p("B", null), p("C", null)),
                List.of(f("A", "C", "requirements"), f("B", "C", "requirements"))));
        assertEquals(List.of(new Input("A", Relation.DATA_FLOW, "requirements", true),
                new Input("B", Relation.DATA_FLOW, "requirements", true)), g.inputsOf("C"));
        assertEquals(List.of("A", "B"), g.upstreamOf("C"));
    }

    @Test
    void parentAndFlowFromSameSourceGiveTwoInputsButOneUpstream() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null), p("X", null), p("B", "A")),
                List.of(f("X", "B", "spec"), f("A", "B", "requirements"))));
        assertEquals(List.of(new Input("A", Relation.PARENT, null, true),
                new Input("X", Relation.DATA_FLOW, "spec", true),
                new Input("A", Relation.DATA_FLOW, "requirements", true)), g.inputsOf("B"));
        assertEquals(List.of("A", "X"), g.upstreamOf("B"));
        assertEquals(List.of(), g.upstreamOf("A"));
        assertEquals(List.of(), g.inputsOf("A"));
    }

    @Test
    void relationWireNames() {
        assertEquals("parent", Relation.PARENT.wireName());
        assertEquals("data_flow", Relation.DATA_FLOW.wireName());
    }

    @Test
    void namesKeepSubmissionOrder() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("Z", null), p("A", "Z"), p("M", null)), List.of()));
        assertEquals(List.of("Z", "A", "M"), g.names());
    }

    @Test
    void downstreamClosureOnDiamond() {
        // A -> B, A -> C, B -> D, C -> D, D -> E; F is unrelated.
        LatticeGraph g = LatticeGraph.of(new Lattice(
                List.of(p("A", null), p("B", "A"), p("C", "A"), p("D", null), p("E", "D"), p("F", null)),
                List.of(f("B", "D", "x"), f("C", "D", "y"))));
        assertEquals(Set.of("B", "C", "D", "E"), g.downstreamClosure("A"));
        assertEquals(List.of("B", "C", "D", "E"), new ArrayList<>(g.downstreamClosure("A")));
        assertEquals(Set.of("D", "E"), g.downstreamClosure("B"));
        assertEquals(Set.of(), g.downstreamClosure("E"));
        assertEquals(List.of("B", "C"), g.downstreamOf("A"));
        assertEquals(List.of("D"), g.downstreamOf("C"));
        assertEquals(List.of("B", "C"), g.upstreamOf("D"));
    }

    @Test
    void cyclePathIsInDependencyOrder() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null), p("B", null), p("C", null)),
                List.of(f("A", "B", "x"), f("B", "C", "x"), f("C", "A", "x"))));
        assertEquals(Optional.of(List.of("A", "B", "C", "A")), g.findCycle());
        assertThrows(IllegalStateException.class, g::topologicalOrder);
    }

    @Test
    void cycleStartsAtEarliestSubmittedMember() {
        // DFS enters the cycle at B via X, but the report is rotated to start at A (submitted before B).
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("X", null), p("A", null), p("B", "X")),
                List.of(f("B", "A", "x"), f("A", "B", "x"))));
        assertEquals(Optional.of(List.of("A", "B", "A")), g.findCycle());
    }

    @Test
    void acyclicGraphHasNoCycle() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null), p("B", "A")), List.of(f("A", "B", "x"))));
        assertEquals(Optional.empty(), g.findCycle());
    }

    @Test
    void longChainDoesNotOverflowTheStack() {
        int n = 20_000;
        List<Project> projects = new ArrayList<>();
        // Submitted in reverse so DFS and Kahn both have to walk the full depth.
        for (int i = n - 1; i >= 0; i--) {
            projects.add(p("P" + i, i == 0 ? null : "P" + (i - 1)));
        }
        LatticeGraph g = LatticeGraph.of(new Lattice(projects, List.of()));
        assertEquals(Optional.empty(), g.findCycle());
        List<String> order = g.topologicalOrder();
        assertEquals(n, order.size());
        assertEquals("P0", order.get(0));
        assertEquals("P19999", order.get(n - 1));
        assertEquals(n - 1, g.downstreamClosure("P0").size());
    }

    @Test
    void longChainCycleIsFoundIteratively() {
        int n = 20_000;
        List<Project> projects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            projects.add(p("P" + i, i == 0 ? null : "P" + (i - 1)));
        }
        LatticeGraph g = LatticeGraph.of(new Lattice(projects, List.of(f("P" + (n - 1), "P0", "loop"))));
        List<String> cycle = g.findCycle().orElseThrow();
        assertEquals(n + 1, cycle.size());
        assertEquals("P0", cycle.get(0));
        assertEquals("P1", cycle.get(1));
        assertEquals("P0", cycle.get(n));
    }

    @Test
    void topologicalOrderRespectsAllEdgesOnRandomDag() {
        Random rnd = new Random(42);
        int n = 2_000;
        List<String> ranked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranked.add("N" + i);
        }
        // Edges only go from lower to higher rank, so the graph is acyclic; submit in shuffled order.
        List<Project> projects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String parent = i > 0 && rnd.nextInt(3) == 0 ? ranked.get(rnd.nextInt(i)) : null;
            projects.add(p(ranked.get(i), parent));
        }
        java.util.Collections.shuffle(projects, rnd);
        List<DataFlow> flows = new ArrayList<>();
        for (int e = 0; e < 8_000; e++) {
            int a = rnd.nextInt(n - 1);
            int b = a + 1 + rnd.nextInt(n - a - 1);
            flows.add(f(ranked.get(a), ranked.get(b), "t" + e));
        }
        Lattice lattice = new Lattice(projects, flows);
        assertEquals(List.of(), LatticeValidator.validate("r", lattice));
        LatticeGraph g = LatticeGraph.of(lattice);
        List<String> order = g.topologicalOrder();
        assertEquals(n, order.size());
        Map<String, Integer> pos = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            pos.put(order.get(i), i);
        }
        assertEquals(n, pos.size());
        int checked = 0;
        for (Project proj : projects) {
            if (proj.parentName() != null) {
                assertTrue(pos.get(proj.parentName()) < pos.get(proj.name()), proj.parentName() + " -> " + proj.name());
                checked++;
            }
        }
        for (DataFlow flow : flows) {
            assertTrue(pos.get(flow.fromProject()) < pos.get(flow.toProject()), flow.toString());
            checked++;
        }
        assertTrue(checked > 8_000);
    }

    @Test
    void topologicalOrderBreaksTiesBySubmissionOrder() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("C", "B"), p("B", null), p("A", null)), List.of()));
        assertEquals(List.of("B", "A", "C"), g.topologicalOrder());
    }

    @Test
    void unknownNamesAreRejected() {
        LatticeGraph g = LatticeGraph.of(new Lattice(List.of(p("A", null)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> g.inputsOf("nope"));
        assertThrows(IllegalArgumentException.class,
                () -> LatticeGraph.of(new Lattice(List.of(p("A", "ghost")), List.of())));
        assertThrows(IllegalArgumentException.class,
                () -> LatticeGraph.of(new Lattice(List.of(p("A", null), p("A", null)), List.of())));
    }
}
