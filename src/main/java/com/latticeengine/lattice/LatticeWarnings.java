package com.latticeengine.lattice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ODRAS restates its dependencies as event topics ({@code subscribes_to} / {@code publishes}) and
 * names the data each project expects ({@code inputs[]} / {@code outputs[]}). Those lists never
 * decide the order (the parent and the data flows do), but a topic nobody publishes or an input no
 * upstream produces usually means a lattice that lost a project or a flow, so it is reported.
 * ODRAS writes both on purpose too (external documents as inputs, {@code ontology.published}
 * without an L0 project): hence warnings, never errors. Names compare without case or outer blanks.
 */
public final class LatticeWarnings {
    private LatticeWarnings() {
    }

    /** Assumes a lattice that passed {@link LatticeValidator}. */
    public static List<Warning> of(Lattice lattice) {
        List<Project> projects = lattice.projects();
        Set<String> published = new HashSet<>();
        Map<String, Project> byName = new HashMap<>();
        for (Project p : projects) {
            published.addAll(names(p.fields().get("publishes")));
            byName.put(p.name(), p);
        }
        Map<String, Set<String>> produced = new HashMap<>();
        for (Project p : projects) {
            if (p.parentName() != null) {
                produced.computeIfAbsent(p.name(), k -> new HashSet<>())
                        .addAll(names(byName.get(p.parentName()).fields().get("outputs")));
            }
        }
        for (DataFlow f : lattice.dataFlows()) {
            Set<String> into = produced.computeIfAbsent(f.toProject(), k -> new HashSet<>());
            into.addAll(names(byName.get(f.fromProject()).fields().get("outputs")));
            if (f.dataType() != null) {
                into.add(normal(f.dataType()));
            }
        }
        List<Warning> out = new ArrayList<>();
        for (int i = 0; i < projects.size(); i++) {
            Project p = projects.get(i);
            String path = "lattice.projects[" + i + "]";
            forEachName(p.fields().get("subscribes_to"), (j, topic) -> {
                if (!published.contains(normal(topic))) {
                    out.add(new Warning(path + ".subscribes_to[" + j + "]",
                            "no project publishes '" + topic + "'"));
                }
            });
            Set<String> available = produced.getOrDefault(p.name(), Set.of());
            forEachName(p.fields().get("inputs"), (j, input) -> {
                if (!available.contains(normal(input))) {
                    out.add(new Warning(path + ".inputs[" + j + "]", "no upstream project of '" + p.name()
                            + "' produces '" + input + "' (in its outputs[] or as a data flow's data_type)"));
                }
            });
        }
        return out;
    }

    private interface NameAt {
        void accept(int index, String name);
    }

    /** Only string entries of a list count; anything else in these ODRAS fields is kept but not read. */
    private static void forEachName(Object list, NameAt action) {
        if (list instanceof List<?> items) {
            for (int j = 0; j < items.size(); j++) {
                if (items.get(j) instanceof String s && !s.isBlank()) {
                    action.accept(j, s);
                }
            }
        }
    }

    private static Set<String> names(Object list) {
        Set<String> out = new HashSet<>();
        forEachName(list, (j, s) -> out.add(normal(s)));
        return out;
    }

    private static String normal(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }
}
