package com.latticeengine.layout;

import com.latticeengine.store.RunShape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatticeLayoutTest {

    @Test
    void projectsSitInTheirLayersRowUnlessAnUpstreamProjectIsInTheSameOrALaterRow() {
        RunShape shape = new RunShape(
                List.of(node("Mission", 1), node("Concept", 1), node("Architecture", 1), node("Vehicle", 2),
                        node("Environment", 2), node("Coverage", 4)),
                List.of(flow("Mission", "Concept"), flow("Mission", "Architecture"), flow("Concept", "Architecture"),
                        parent("Architecture", "Vehicle"), parent("Mission", "Environment"),
                        flow("Environment", "Coverage")));

        Map<String, RunLayout.Node> nodes = byName(LatticeLayout.of(shape));

        assertEquals(0, nodes.get("Mission").row());
        assertEquals(1, nodes.get("Concept").row(), "pushed below Mission, its upstream in the same layer");
        assertEquals(2, nodes.get("Architecture").row());
        assertEquals(3, nodes.get("Vehicle").row());
        assertEquals(1, nodes.get("Environment").row(), "layer 2 is row 1: nothing pushes it down");
        assertEquals(3, nodes.get("Coverage").row(), "layer 4 keeps its layer's row");
    }

    @Test
    void rowsAreDrawnTopDownAndNodesDoNotOverlap() {
        RunLayout layout = LatticeLayout.of(randomLayeredShape(150, 6, new Random(16)));

        Map<Integer, List<RunLayout.Node>> byRow = layout.nodes().stream()
                .collect(Collectors.groupingBy(RunLayout.Node::row));
        double previousBottom = Double.NEGATIVE_INFINITY;
        for (int row = 0; row < byRow.size(); row++) {
            List<RunLayout.Node> nodes = byRow.get(row);
            double top = nodes.stream().mapToDouble(n -> n.y() - n.height() / 2).min().orElseThrow();
            assertTrue(top > previousBottom, "row " + row + " starts below row " + (row - 1));
            previousBottom = nodes.stream().mapToDouble(n -> n.y() + n.height() / 2).max().orElseThrow();
            List<RunLayout.Node> sorted = nodes.stream().sorted((a, b) -> Double.compare(a.x(), b.x())).toList();
            for (int i = 1; i < sorted.size(); i++) {
                RunLayout.Node left = sorted.get(i - 1);
                RunLayout.Node right = sorted.get(i);
                assertTrue(left.x() + left.width() / 2 <= right.x() - right.width() / 2,
                        left.name() + " and " + right.name() + " overlap in row " + row);
            }
        }
        Map<String, RunLayout.Node> nodes = byName(layout);
        for (RunLayout.Edge edge : layout.edges()) {
            assertTrue(nodes.get(edge.from()).row() < nodes.get(edge.to()).row(), "edges point down: " + edge);
        }
        assertTrue(layout.width() > 0 && layout.height() > 0);
    }

    @Test
    void edgesKeepTheirRelationDataTypeAndRequiredFlag() {
        RunShape shape = new RunShape(List.of(node("A", 1), node("B", 2)),
                List.of(parent("A", "B"), new RunShape.Link("A", "B", "data_flow", "mass", false)));

        List<RunLayout.Edge> edges = LatticeLayout.of(shape).edges();

        assertEquals(2, edges.size());
        assertEquals("parent", edges.get(0).relation());
        assertEquals(null, edges.get(0).dataType());
        assertEquals("mass", edges.get(1).dataType());
        assertFalse(edges.get(1).required());
    }

    /** Projects in layers, each with one or two inputs from earlier layers (like a big ODRAS lattice). */
    static RunShape randomLayeredShape(int projects, int layers, Random random) {
        List<RunShape.Node> nodes = new ArrayList<>();
        List<RunShape.Link> links = new ArrayList<>();
        for (int i = 0; i < projects; i++) {
            int layer = 1 + i * layers / projects;
            nodes.add(node("P" + i, layer));
            int firstOfLayer = (layer - 1) * projects / layers;
            if (firstOfLayer > 0) {
                links.add(parent("P" + random.nextInt(firstOfLayer), "P" + i));
                if (random.nextBoolean()) {
                    links.add(flow("P" + random.nextInt(firstOfLayer), "P" + i));
                }
            }
        }
        return new RunShape(nodes, links);
    }

    private static Map<String, RunLayout.Node> byName(RunLayout layout) {
        return layout.nodes().stream().collect(Collectors.toMap(RunLayout.Node::name, Function.identity()));
    }

    private static RunShape.Node node(String name, int layer) {
        return new RunShape.Node(name, layer);
    }

    private static RunShape.Link parent(String from, String to) {
        return new RunShape.Link(from, to, "parent", null, true);
    }

    private static RunShape.Link flow(String from, String to) {
        return new RunShape.Link(from, to, "data_flow", "data", true);
    }
}
