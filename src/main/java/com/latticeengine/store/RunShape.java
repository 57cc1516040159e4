package com.latticeengine.store;

import java.util.List;

/**
 * The fixed shape of a run: its projects in submission order and every input link between them.
 * A run's shape never changes after submission, so whatever is derived from it can be cached.
 */
public record RunShape(List<Node> nodes, List<Link> links) {

    public record Node(String name, int layer) {
    }

    /** One input link, upstream to downstream; {@code dataType} is null for a parent link. */
    public record Link(String from, String to, String relation, String dataType, boolean required) {
    }
}
