package com.latticeengine.lattice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Semantic checks on a structurally well-typed submission; reports every problem, not just the first. */
public final class LatticeValidator {
    private LatticeValidator() {
    }

    private record FlowKey(String from, String to, String dataType) {
    }

    public static List<Violation> validate(String requirements, Lattice lattice) {
        List<Violation> out = new ArrayList<>();
        if (requirements == null) {
            out.add(new Violation("requirements", "is required"));
        } else if (requirements.isBlank()) {
            out.add(new Violation("requirements", "must not be blank"));
        }
        if (lattice == null) {
            out.add(new Violation("lattice", "is required"));
            return out;
        }
        List<Project> projects = lattice.projects();
        if (projects.isEmpty()) {
            out.add(new Violation("lattice.projects", "must contain at least one project"));
        }

        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < projects.size(); i++) {
            Project p = projects.get(i);
            if (p != null && !isBlank(p.name())) {
                firstIndex.putIfAbsent(p.name(), i);
            }
        }

        // Only edges between known, distinct projects feed the cycle check, so it never sees bad input.
        List<Project> graphProjects = new ArrayList<>();
        List<DataFlow> graphFlows = new ArrayList<>();
        for (int i = 0; i < projects.size(); i++) {
            String path = "lattice.projects[" + i + "]";
            Project p = projects.get(i);
            if (p == null) {
                out.add(new Violation(path, "must be an object"));
                continue;
            }
            boolean named = !isBlank(p.name());
            if (!named) {
                out.add(new Violation(path + ".name", "is required"));
            } else if (firstIndex.get(p.name()) != i) {
                out.add(new Violation(path + ".name", "duplicate project name '" + p.name()
                        + "' (first at lattice.projects[" + firstIndex.get(p.name()) + "])"));
            }
            if (p.layer() == null) {
                out.add(new Violation(path + ".layer", "is required"));
            } else if (p.layer() < 0) {
                // ODRAS numbers its layers from L0 (foundation / ontology).
                out.add(new Violation(path + ".layer", "must be an integer >= 0"));
            }
            String parent = p.parentName();
            boolean parentOk = false;
            if (parent != null) {
                if (named && parent.equals(p.name())) {
                    out.add(new Violation(path + ".parent_name", "a project cannot be its own parent"));
                } else if (!firstIndex.containsKey(parent)) {
                    out.add(new Violation(path + ".parent_name", "unknown project '" + parent + "'"));
                } else {
                    parentOk = true;
                }
            }
            if (named && firstIndex.get(p.name()) == i) {
                graphProjects.add(new Project(p.name(), p.layer(), parentOk ? parent : null, Map.of()));
            } else if (named && parentOk) {
                // A duplicate's parent link still constrains the shared name.
                graphFlows.add(new DataFlow(parent, p.name(), null, true));
            }
        }

        Map<FlowKey, Integer> seenFlows = new HashMap<>();
        List<DataFlow> flows = lattice.dataFlows();
        for (int j = 0; j < flows.size(); j++) {
            String path = "lattice.data_flows[" + j + "]";
            DataFlow f = flows.get(j);
            if (f == null) {
                out.add(new Violation(path, "must be an object"));
                continue;
            }
            boolean fromOk = checkEndpoint(out, path + ".from_project", f.fromProject(), firstIndex);
            boolean toOk = checkEndpoint(out, path + ".to_project", f.toProject(), firstIndex);
            boolean self = f.fromProject() != null && !isBlank(f.fromProject()) && f.fromProject().equals(f.toProject());
            if (self) {
                out.add(new Violation(path, "project '" + f.fromProject() + "' cannot depend on itself"));
            }
            Integer first = seenFlows.putIfAbsent(new FlowKey(f.fromProject(), f.toProject(), f.dataType()), j);
            if (first != null) {
                out.add(new Violation(path, "duplicate data flow: same from_project, to_project and data_type as lattice.data_flows[" + first + "]"));
            }
            if (fromOk && toOk && !self) {
                graphFlows.add(f);
            }
        }

        LatticeGraph.of(new Lattice(graphProjects, graphFlows)).findCycle()
                .ifPresent(c -> out.add(new Violation("lattice", "cycle: " + String.join(" -> ", c))));
        return out;
    }

    private static boolean checkEndpoint(List<Violation> out, String field, String name, Map<String, Integer> known) {
        if (isBlank(name)) {
            out.add(new Violation(field, "is required"));
            return false;
        }
        if (!known.containsKey(name)) {
            out.add(new Violation(field, "unknown project '" + name + "'"));
            return false;
        }
        return true;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
