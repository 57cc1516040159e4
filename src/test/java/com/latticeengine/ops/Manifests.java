package com.latticeengine.ops;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/** Renders k8s/ kustomizations with the real `kubectl kustomize` and reads the YAML back. */
final class Manifests {

    static final Path K8S = Path.of("k8s");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Manifests() {
    }

    /** Every directory under k8s/ with a kustomization.yaml (base, overlays and their parts), relative to k8s/. */
    static List<String> kustomizations() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(p -> K8S.relativize(p.getParent()).toString().replace(File.separatorChar, '/'))
                    .sorted().toList();
        }
    }

    static String kubectl() {
        for (String candidate : List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Path.of(dir, "kubectl").toString();
            }
        }
        return fail("kubectl is not installed, so the k8s/ manifests cannot be rendered: run scripts/ensure-kubectl "
                + "(installs Debian's kubernetes-client) or install kubectl, then rerun the tests");
    }

    /** The resources `kubectl kustomize k8s/<dir>` prints; fails the test with kubectl's stderr when it cannot render. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(String dir) throws IOException, InterruptedException {
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl(), "kustomize", K8S.resolve(dir).toString())
                    .redirectError(err.toFile()).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize k8s/" + dir + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                fail("kubectl kustomize k8s/" + dir + " failed (exit " + process.exitValue() + "):\n"
                        + Files.readString(err));
            }
            List<Map<String, Object>> resources = new ArrayList<>();
            try (MappingIterator<Map<String, Object>> docs = YAML.readerFor(Map.class)
                    .readValues(new String(out, StandardCharsets.UTF_8))) {
                while (docs.hasNext()) {
                    Map<String, Object> doc = docs.next();
                    if (doc != null && !doc.isEmpty()) {
                        resources.add(doc);
                    }
                }
            }
            if (resources.isEmpty()) {
                fail("kubectl kustomize k8s/" + dir + " rendered nothing");
            }
            return resources;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Every YAML document in one file (for files kept outside the kustomizations, like templates). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> readFile(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (MappingIterator<Map<String, Object>> it = YAML.readerFor(Map.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                Map<String, Object> doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> resources, String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    static String name(Map<String, Object> resource) {
        return (String) map(resource, "metadata").get("name");
    }

    /** Follows a path of map keys; a missing step yields an empty map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return Map.of();
            }
            current = m.get(key);
        }
        return current instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> node, String key) {
        Object value = node.get(key);
        return value instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(workload, "spec", "template", "spec");
    }

    /** The engine's containers (those running the lattice-engine image) of a workload. */
    static List<Map<String, Object>> engineContainers(Map<String, Object> workload) {
        return list(podSpec(workload), "containers").stream()
                .filter(c -> String.valueOf(c.get("image")).startsWith("lattice/lattice-engine")).toList();
    }
}
