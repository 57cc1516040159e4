package com.latticeengine.layout;

import com.latticeengine.store.RunShape;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.LayeringStrategy;
import org.eclipse.elk.alg.layered.options.NodePlacementStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays a run's lattice out top-down in rows with ELK's layered algorithm. Rows follow the
 * lattice's layers: a project sits in its layer's row unless it depends on a project in the same
 * or a later row, and then just below that one, so every edge points down. ELK then orders each
 * row to reduce crossings and routes the edges around the nodes.
 */
public final class LatticeLayout {

    static final double NODE_WIDTH = 180;
    static final double NODE_HEIGHT = 44;
    private static final double ROW_PITCH = 1000;
    static final int COMPACT_ABOVE = 500;

    static {
        LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
    }

    private LatticeLayout() {
    }

    public static RunLayout of(RunShape shape) {
        Map<String, Integer> rows = rows(shape);
        ElkNode graph = ElkGraphUtil.createGraph();
        graph.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        graph.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
        graph.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
        // Interactive layering reads the rows from the nodes' initial y, so ELK keeps our rows; laid
        // out apart, unconnected parts (a lone project, say) would each start at the top instead.
        graph.setProperty(LayeredOptions.LAYERING_STRATEGY, LayeringStrategy.INTERACTIVE);
        graph.setProperty(CoreOptions.SEPARATE_CONNECTED_COMPONENTS, false);
        if (shape.nodes().size() > COMPACT_ABOVE) {
            // Brandes-Koepf straightens long edges by spreading rows apart: a 2,000-project lattice
            // came out 90,000 x 46,000 px; the simple placement packs it into 20,000 x 17,000 in the same time.
            graph.setProperty(LayeredOptions.NODE_PLACEMENT_STRATEGY, NodePlacementStrategy.SIMPLE);
        }
        graph.setProperty(LayeredOptions.SPACING_NODE_NODE, 24.0);
        graph.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 48.0);
        graph.setProperty(CoreOptions.PADDING, new ElkPadding(20));

        Map<String, ElkNode> nodes = new HashMap<>();
        for (RunShape.Node node : shape.nodes()) {
            ElkNode elk = ElkGraphUtil.createNode(graph);
            elk.setIdentifier(node.name());
            elk.setDimensions(NODE_WIDTH, NODE_HEIGHT);
            elk.setLocation(nodes.size(), rows.get(node.name()) * ROW_PITCH);
            nodes.put(node.name(), elk);
        }
        List<ElkEdge> edges = new ArrayList<>(shape.links().size());
        for (RunShape.Link link : shape.links()) {
            // No ELK labels: their dummy nodes made the example lattice's drawing 1.7x wider, too small
            // to read fitted on a screen; the page draws each data_type at its edge's middle instead.
            edges.add(ElkGraphUtil.createSimpleEdge(nodes.get(link.from()), nodes.get(link.to())));
        }

        new RecursiveGraphLayoutEngine().layout(graph, new BasicProgressMonitor());

        List<RunLayout.Node> placed = new ArrayList<>(shape.nodes().size());
        for (RunShape.Node node : shape.nodes()) {
            ElkNode elk = nodes.get(node.name());
            placed.add(new RunLayout.Node(node.name(), node.layer(), rows.get(node.name()),
                    pixel(elk.getX() + elk.getWidth() / 2), pixel(elk.getY() + elk.getHeight() / 2), elk.getWidth(),
                    elk.getHeight()));
        }
        List<RunLayout.Edge> routed = new ArrayList<>(edges.size());
        for (int i = 0; i < edges.size(); i++) {
            RunShape.Link link = shape.links().get(i);
            routed.add(new RunLayout.Edge(link.from(), link.to(), link.relation(), link.dataType(), link.required(),
                    bends(edges.get(i))));
        }
        return new RunLayout(pixel(graph.getWidth()), pixel(graph.getHeight()), placed, routed);
    }

    /** Tenths of a pixel are plenty on screen and shorten a big graph's JSON (17-digit doubles otherwise). */
    private static double pixel(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /**
     * Row of each project: its layer (the lowest layer becomes row 0), or one below the lowest
     * row of its upstream projects when that is further down. Shapes come from validated,
     * acyclic lattices whose links name known projects.
     */
    static Map<String, Integer> rows(RunShape shape) {
        int lowestLayer = shape.nodes().stream().mapToInt(RunShape.Node::layer).min().orElse(0);
        Map<String, List<String>> upstream = new HashMap<>();
        for (RunShape.Link link : shape.links()) {
            upstream.computeIfAbsent(link.to(), k -> new ArrayList<>()).add(link.from());
        }
        Map<String, Integer> layers = new HashMap<>();
        shape.nodes().forEach(node -> layers.put(node.name(), node.layer() - lowestLayer));
        Map<String, Integer> rows = new HashMap<>();
        for (RunShape.Node node : shape.nodes()) {
            rowOf(node.name(), layers, upstream, rows);
        }
        return rows;
    }

    /** Iterative depth-first: lattices can hold chains far deeper than the call stack. */
    private static void rowOf(String start, Map<String, Integer> layers, Map<String, List<String>> upstream,
                              Map<String, Integer> rows) {
        List<String> stack = new ArrayList<>();
        stack.add(start);
        while (!stack.isEmpty()) {
            String name = stack.get(stack.size() - 1);
            if (rows.containsKey(name)) {
                stack.remove(stack.size() - 1);
                continue;
            }
            int row = layers.get(name);
            boolean ready = true;
            for (String from : upstream.getOrDefault(name, List.of())) {
                Integer fromRow = rows.get(from);
                if (fromRow == null) {
                    stack.add(from);
                    ready = false;
                } else {
                    row = Math.max(row, fromRow + 1);
                }
            }
            if (ready) {
                rows.put(name, row);
                stack.remove(stack.size() - 1);
            }
        }
    }

    private static List<RunLayout.Point> bends(ElkEdge edge) {
        if (edge.getSections().isEmpty()) {
            return List.of();
        }
        ElkEdgeSection section = edge.getSections().get(0);
        List<RunLayout.Point> points = new ArrayList<>(section.getBendPoints().size());
        for (ElkBendPoint bend : section.getBendPoints()) {
            points.add(new RunLayout.Point(pixel(bend.getX()), pixel(bend.getY())));
        }
        return points;
    }
}
