package com.latticeengine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules, read from the sources: no import cycle between the top-level packages
 * (api, engine, store, ...; a subpackage counts as its parent), SQL only in {@code store}, and
 * the engine's files small enough to read in one go.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/com/latticeengine");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+(?:static\\s+)?com\\.latticeengine\\.(\\w+)\\.");
    /** A statement at the start of a string or text block, or a clause that only SQL has. */
    private static final Pattern SQL = Pattern.compile(
            "\"(?:\"\")?\\s*(?:SELECT|INSERT\\s+INTO|UPDATE\\s+\\w+|DELETE\\s+FROM|WITH\\s+\\w+\\s+AS|LISTEN|NOTIFY|TRUNCATE|CREATE|ALTER|DROP)\\b"
                    + "|\\bFOR\\s+UPDATE\\b|\\bpg_notify\\s*\\(|\\bON\\s+CONFLICT\\b",
            0);
    private static final int MAX_ENGINE_LINES = 400;

    @Test
    void theTopLevelPackagesImportEachOtherWithoutACycle() {
        Map<String, Set<String>> imports = packageImports();
        assertTrue(imports.keySet().containsAll(Set.of("api", "engine", "store", "ops", "lattice")), imports.toString());
        List<String> cycle = findCycle(imports);
        assertEquals(List.of(), cycle, "import cycle between packages; imports: " + imports);
    }

    @Test
    void theCycleCheckFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(graph));
        assertEquals(List.of(), findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of()))));
    }

    @Test
    void theLatticeModelDependsOnNothingAndTheEngineNotOnOpsApiOrEvents() {
        Map<String, Set<String>> imports = packageImports();
        assertEquals(Set.of(), imports.get("lattice"));
        Set<String> engine = imports.get("engine");
        for (String forbidden : List.of("ops", "api", "events")) {
            assertTrue(!engine.contains(forbidden), "engine imports " + forbidden + ": " + engine);
        }
        assertTrue(!imports.get("store").contains("engine"), "store imports engine");
    }

    @Test
    void sqlAppearsOnlyInTheStorePackage() {
        List<String> offenders = new ArrayList<>();
        for (Path file : javaFiles()) {
            if (topLevelPackage(file).equals("store")) {
                continue;
            }
            Matcher m = SQL.matcher(read(file));
            while (m.find()) {
                offenders.add(SOURCES.relativize(file) + ": " + m.group().strip());
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void theSqlCheckRecognisesStatementsInStringsAndTextBlocks() {
        assertTrue(SQL.matcher("String q = \"SELECT id FROM task\";").find());
        assertTrue(SQL.matcher("String q = \"\"\"\n    UPDATE task SET state = 'READY'\n\"\"\";").find());
        assertTrue(SQL.matcher("s.execute(\"LISTEN \" + channel);").find());
        assertTrue(!SQL.matcher("LOG.info(\"selected the claim with the longest chain\");").find());
    }

    @Test
    void noEngineFileIsLongerThan400Lines() {
        List<String> tooLong = new ArrayList<>();
        for (Path file : javaFiles()) {
            long lines = read(file).lines().count();
            if (topLevelPackage(file).equals("engine") && lines > MAX_ENGINE_LINES) {
                tooLong.add(SOURCES.relativize(file) + ": " + lines + " lines");
            }
        }
        assertEquals(List.of(), tooLong);
    }

    private static Map<String, Set<String>> packageImports() {
        Map<String, Set<String>> imports = new TreeMap<>();
        for (Path file : javaFiles()) {
            String from = topLevelPackage(file);
            Set<String> to = imports.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = IMPORT.matcher(read(file));
            while (m.find()) {
                if (!m.group(1).equals(from)) {
                    to.add(m.group(1));
                }
            }
        }
        return imports;
    }

    /** A path a -> ... -> a through the graph, or empty when there is none. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>();
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    /** Depth-first; state 1 = on the current path, 2 = done. On a cycle, {@code path} is left holding it. */
    private static boolean visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return false;
        }
        if (s != null && s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            path.clear();
            path.addAll(cycle);
            return true;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }

    private static String topLevelPackage(Path file) {
        Path relative = SOURCES.relativize(file);
        return relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
    }

    private static List<Path> javaFiles() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
