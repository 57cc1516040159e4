package com.latticeengine.layout;

import java.util.List;

/**
 * A run's graph with positions for drawing: node centres and sizes, and each edge's bend points
 * (between its two end nodes; empty for a straight edge). Units are CSS pixels at zoom 1.
 */
public record RunLayout(double width, double height, List<Node> nodes, List<Edge> edges) {

    /** {@code row} is the drawn row: the project's layer, pushed below every project it depends on. */
    public record Node(String name, int layer, int row, double x, double y, double width, double height) {
    }

    public record Edge(String from, String to, String relation, String dataType, boolean required,
                       List<Point> bends) {
    }

    public record Point(double x, double y) {
    }
}
