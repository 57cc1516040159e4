package com.latticeengine.ops;

import com.latticeengine.config.LatticeConfig;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.latticeengine.ops.Manifests.engineContainers;
import static com.latticeengine.ops.Manifests.list;
import static com.latticeengine.ops.Manifests.map;
import static com.latticeengine.ops.Manifests.name;
import static com.latticeengine.ops.Manifests.ofKind;
import static com.latticeengine.ops.Manifests.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders k8s/ base and every overlay with `kubectl kustomize` and checks the result against the
 * code: probes, resources, securityContext, grace period, env var names, secrets, image name.
 * The probe paths are called on a running app by {@link OperationalEndpointsTest}.
 */
class KubernetesManifestsTest {

    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    /**
     * Config keys read by extensions other branches add, named here because their env vars are in
     * the manifests already: the LLM processor (quarkus-langchain4j-openai) reads its key from it.
     */
    private static final Set<String> KEYS_OF_OTHER_EXTENSIONS = Set.of("quarkus.langchain4j.openai.api-key");
    private static final Map<String, String> PROBES = Map.of(
            "startupProbe", "/q/health/started",
            "readinessProbe", "/q/health/ready",
            "livenessProbe", "/q/health/live");

    private static Properties properties;
    private static final Map<String, List<Map<String, Object>>> rendered = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws Exception {
        properties = new Properties();
        try (Reader in = Files.newBufferedReader(PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        List<String> dirs = Manifests.kustomizations();
        assertTrue(dirs.containsAll(List.of("base", "dev", "prod")), "expected k8s/base, k8s/dev, k8s/prod; found " + dirs);
        for (String dir : dirs) {
            rendered.put(dir, Manifests.render(dir));
        }
    }

    @Test
    void everyDeploymentHasResourcesProbesAndARestrictiveSecurityContext() {
        rendered.forEach((dir, resources) -> {
            List<Map<String, Object>> deployments = ofKind(resources, "Deployment");
            assertFalse(deployments.isEmpty(), dir + " renders no Deployment");
            for (Map<String, Object> deployment : deployments) {
                String where = dir + ": Deployment " + name(deployment);
                Map<String, Object> pod = podSpec(deployment);
                assertEquals("RollingUpdate", map(deployment, "spec", "strategy").get("type"), where);
                assertEquals(0, map(deployment, "spec", "strategy", "rollingUpdate").get("maxUnavailable"),
                        where + ": rolling updates must not drop below the wanted replicas");
                Map<String, Object> podSecurity = map(pod, "securityContext");
                assertEquals(true, podSecurity.get("runAsNonRoot"), where + ": pod runAsNonRoot");
                assertEquals("RuntimeDefault", map(podSecurity, "seccompProfile").get("type"), where + ": seccomp");
                List<Map<String, Object>> containers = list(pod, "containers");
                assertFalse(containers.isEmpty(), where);
                for (Map<String, Object> container : containers) {
                    checkContainer(where + " container " + container.get("name"), pod, container);
                }
            }
        });
    }

    private static void checkContainer(String where, Map<String, Object> pod, Map<String, Object> container) {
        for (String kind : List.of("requests", "limits")) {
            Map<String, Object> resources = map(container, "resources", kind);
            assertTrue(resources.containsKey("cpu") && resources.containsKey("memory"), where + ": resources." + kind
                    + " needs cpu and memory, has " + resources);
        }
        Set<Object> ports = new LinkedHashSet<>();
        for (Map<String, Object> port : list(container, "ports")) {
            ports.add(port.get("containerPort"));
            ports.add(port.get("name"));
            if ("http".equals(port.get("name"))) {
                assertEquals(8080, port.get("containerPort"), where + ": the http port must be quarkus.http.port's 8080");
            }
        }
        PROBES.forEach((probe, path) -> {
            Map<String, Object> get = map(container, probe, "httpGet");
            assertEquals(path, get.get("path"), where + ": " + probe + " path");
            assertTrue(ports.contains(get.get("port")), where + ": " + probe + " port " + get.get("port")
                    + " is not a port of the container " + ports);
        });
        Map<String, Object> security = map(container, "securityContext");
        assertEquals(false, security.get("allowPrivilegeEscalation"), where + ": allowPrivilegeEscalation");
        assertEquals(true, security.get("readOnlyRootFilesystem"), where + ": readOnlyRootFilesystem");
        assertTrue(String.valueOf(map(container, "securityContext", "capabilities").get("drop")).contains("ALL"),
                where + ": capabilities.drop must contain ALL");
        Set<String> emptyDirs = new TreeSet<>();
        list(pod, "volumes").stream().filter(v -> v.containsKey("emptyDir")).forEach(v -> emptyDirs.add((String) v.get("name")));
        assertTrue(list(container, "volumeMounts").stream()
                        .anyMatch(m -> "/tmp".equals(m.get("mountPath")) && emptyDirs.contains(m.get("name"))),
                where + ": a read-only root filesystem needs an emptyDir at /tmp");
    }

    @Test
    void gracePeriodExceedsPreStopPlusShutdownGrace() {
        rendered.forEach((dir, resources) -> {
            for (Map<String, Object> deployment : ofKind(resources, "Deployment")) {
                String where = dir + ": Deployment " + name(deployment);
                Map<String, Object> pod = podSpec(deployment);
                Object grace = pod.get("terminationGracePeriodSeconds");
                assertTrue(grace instanceof Integer, where + ": terminationGracePeriodSeconds must be set");
                for (Map<String, Object> container : engineContainers(deployment)) {
                    Duration shutdownGrace = duration(envOf(resources, container)
                            .getOrDefault("LATTICE_WORKER_SHUTDOWN_GRACE", properties.getProperty("lattice.worker.shutdown-grace")));
                    long preStop = preStopSleepSeconds(container);
                    assertTrue((Integer) grace > preStop + shutdownGrace.toSeconds(), where + ": terminationGracePeriodSeconds "
                            + grace + " must exceed preStop " + preStop + "s + lattice.worker.shutdown-grace " + shutdownGrace);
                }
            }
        });
    }

    @Test
    void everyEnvVarTheManifestsSetMapsToARealConfigKey() throws Exception {
        Set<String> keys = knownConfigKeys();
        Set<String> readVariables = variablesReadByProperties();
        assertTrue(readVariables.containsAll(List.of("LATTICE_DB_URL", "LATTICE_DB_USER", "LATTICE_DB_PASSWORD",
                "LATTICE_DB_POOL_MAX")), "application.properties no longer reads " + readVariables);
        List<String> unknown = new ArrayList<>();
        rendered.forEach((dir, resources) -> {
            for (Map<String, Object> deployment : ofKind(resources, "Deployment")) {
                for (Map<String, Object> container : engineContainers(deployment)) {
                    for (String env : envOf(resources, container).keySet()) {
                        if (!readVariables.contains(env) && keys.stream().noneMatch(k -> envName(k).equals(env))) {
                            unknown.add(dir + "/" + name(deployment) + ": " + env);
                        }
                    }
                }
            }
        });
        assertEquals(List.of(), unknown, "env vars that match no config key (known keys: " + keys + ")");
    }

    @Test
    void theEnvMappingCheckItselfRejectsTypos() throws Exception {
        Set<String> keys = knownConfigKeys();
        assertTrue(keys.containsAll(List.of("lattice.worker.enabled", "lattice.api.enabled", "lattice.processor.default",
                "lattice.worker.shutdown-grace", "lattice.health.liveness-timeout")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> envName(k).equals("LATTICE_WORKER_ENABLED")));
        assertFalse(keys.stream().anyMatch(k -> envName(k).equals("LATTICE_WORKER_ENABLD")));
        assertFalse(keys.stream().anyMatch(k -> envName(k).equals("LATTICE_WORKERS_ENABLED")));
    }

    @Test
    void rolesProcessorsAndDatabasePerOverlay() {
        List<Map<String, Object>> base = rendered.get("base");
        assertEquals(3, map(ofKind(base, "Deployment").get(0), "spec").get("replicas"), "base runs 3 replicas");

        List<Map<String, Object>> dev = rendered.get("dev");
        Map<String, Object> postgres = ofKind(dev, "StatefulSet").stream().filter(s -> name(s).equals("postgres"))
                .findFirst().orElseGet(() -> fail("dev has no postgres StatefulSet"));
        assertFalse(list(map(postgres, "spec"), "volumeClaimTemplates").isEmpty(), "dev Postgres keeps its data on a PVC");
        assertEquals(1, map(postgres, "spec").get("replicas"));
        for (Map<String, Object> deployment : ofKind(dev, "Deployment")) {
            assertEquals("simulated", envOf(dev, engineContainers(deployment).get(0)).get("LATTICE_PROCESSOR_DEFAULT"));
        }

        List<Map<String, Object>> prod = rendered.get("prod");
        assertTrue(ofKind(prod, "StatefulSet").isEmpty(), "prod uses an external Postgres");
        assertTrue(ofKind(prod, "Secret").isEmpty(), "prod reads an existing Secret; the repository holds none");
        Map<String, Map<String, String>> envByDeployment = new LinkedHashMap<>();
        for (Map<String, Object> deployment : ofKind(prod, "Deployment")) {
            envByDeployment.put(name(deployment), envOf(prod, engineContainers(deployment).get(0)));
        }
        assertEquals(Set.of("lattice-engine-api", "lattice-engine-worker"), envByDeployment.keySet());
        Map<String, String> api = envByDeployment.get("lattice-engine-api");
        Map<String, String> worker = envByDeployment.get("lattice-engine-worker");
        assertEquals("false", api.get("LATTICE_WORKER_ENABLED"));
        assertEquals("true", api.get("LATTICE_API_ENABLED"));
        assertEquals("false", worker.get("LATTICE_API_ENABLED"));
        assertEquals("true", worker.get("LATTICE_WORKER_ENABLED"));
        assertEquals("llm", api.get("LATTICE_PROCESSOR_DEFAULT"));
        assertEquals("llm", worker.get("LATTICE_PROCESSOR_DEFAULT"));
        List<Map<String, Object>> hpas = ofKind(prod, "HorizontalPodAutoscaler");
        assertEquals(1, hpas.size());
        assertEquals("lattice-engine-worker", map(hpas.get(0), "spec", "scaleTargetRef").get("name"));
        Map<String, Object> apiService = ofKind(prod, "Service").stream().filter(s -> name(s).equals("lattice-engine-api"))
                .findFirst().orElseGet(() -> fail("prod has no lattice-engine-api Service"));
        assertEquals(List.of("lattice-engine-api"), selected(prod, map(apiService, "spec", "selector")),
                "the API Service must route to API pods only");
    }

    @Test
    void everyServiceAndDisruptionBudgetSelectsPodsOfExactlyOneWorkload() {
        rendered.forEach((dir, resources) -> {
            for (Map<String, Object> service : ofKind(resources, "Service")) {
                assertEquals(1, selected(resources, map(service, "spec", "selector")).size(),
                        dir + ": Service " + name(service) + " selects " + selected(resources, map(service, "spec", "selector")));
            }
            for (Map<String, Object> pdb : ofKind(resources, "PodDisruptionBudget")) {
                Map<String, Object> selector = map(pdb, "spec", "selector", "matchLabels");
                assertEquals(1, selected(resources, selector).size(), dir + ": PodDisruptionBudget " + name(pdb)
                        + " selects " + selected(resources, selector));
            }
        });
    }

    @Test
    void manifestsUseTheImageTheBuildProduces() {
        String image = properties.getProperty("quarkus.container-image.group") + "/"
                + properties.getProperty("quarkus.container-image.name") + ":"
                + properties.getProperty("quarkus.container-image.tag");
        rendered.forEach((dir, resources) -> {
            for (Map<String, Object> deployment : ofKind(resources, "Deployment")) {
                List<Map<String, Object>> engine = engineContainers(deployment);
                assertEquals(1, engine.size(), dir + ": " + name(deployment) + " must run the lattice-engine image");
                assertEquals(image, engine.get(0).get("image"), dir + ": " + name(deployment));
            }
        });
    }

    @Test
    void everyEngineContainerReadsTheApiKeyFileFromASecretWithAuthOn() {
        rendered.forEach((dir, resources) -> {
            for (Map<String, Object> deployment : ofKind(resources, "Deployment")) {
                String where = dir + ": Deployment " + name(deployment);
                Map<String, Object> pod = podSpec(deployment);
                for (Map<String, Object> container : engineContainers(deployment)) {
                    Map<String, String> env = envOf(resources, container);
                    assertEquals("true", env.get("LATTICE_AUTH_ENABLED"), where + ": authentication must stay on");
                    String file = env.get("LATTICE_AUTH_API_KEYS_FILE");
                    assertTrue(file != null && file.startsWith("/"), where + ": LATTICE_AUTH_API_KEYS_FILE " + file);
                    Map<String, Object> mount = list(container, "volumeMounts").stream()
                            .filter(m -> file.startsWith(m.get("mountPath") + "/")).findFirst()
                            .orElseGet(() -> fail(where + ": nothing is mounted where " + file + " lies"));
                    assertEquals(true, mount.get("readOnly"), where + ": the key file mount must be read-only");
                    Map<String, Object> volume = list(pod, "volumes").stream()
                            .filter(v -> v.get("name").equals(mount.get("name"))).findFirst()
                            .orElseGet(() -> fail(where + ": no volume " + mount.get("name")));
                    assertEquals("lattice-api-keys", map(volume, "secret").get("secretName"),
                            where + ": the key file must come from the Secret lattice-api-keys");
                    String keyFile = file.substring(file.lastIndexOf('/') + 1);
                    assertEquals("api-keys.json", keyFile, where + ": the Secret's key is api-keys.json (docs/SECURITY.md)");
                }
            }
            assertTrue(ofKind(resources, "Secret").stream().noneMatch(s -> name(s).startsWith("lattice-api-keys")),
                    dir + ": no overlay may generate API keys (there is no default credential)");
        });
    }

    @Test
    void noSecretHoldsARealValue() throws IOException {
        List<Map<String, Object>> secrets = new ArrayList<>();
        rendered.values().forEach(r -> secrets.addAll(ofKind(r, "Secret")));
        assertFalse(secrets.isEmpty(), "the dev overlay should generate a placeholder Secret");
        try (Stream<Path> files = Files.walk(Manifests.K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                secrets.addAll(ofKind(Manifests.readFile(file), "Secret"));
                String text = Files.readString(file);
                assertFalse(Pattern.compile("sk-[A-Za-z0-9_-]{16,}").matcher(text).find(), file + " holds an OpenAI-style key");
            }
        }
        for (Map<String, Object> secret : secrets) {
            Map<String, String> values = new LinkedHashMap<>();
            map(secret, "data").forEach((k, v) -> values.put(k,
                    new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
            map(secret, "stringData").forEach((k, v) -> values.put(k, String.valueOf(v)));
            values.forEach((key, value) -> assertTrue(placeholder(key, value),
                    "Secret " + name(secret) + " key " + key + " does not hold an obvious placeholder"));
        }
    }

    /** Credentials must say change-me; other entries may be a user name or a JDBC URL without credentials. */
    static boolean placeholder(String key, String value) {
        if (value.contains("change-me")) {
            return true;
        }
        if (key.matches(".*(PASSWORD|KEY|TOKEN|SECRET).*")) {
            return false;
        }
        return value.matches("[a-z][a-z0-9_]{0,30}")
                || value.matches("jdbc:postgresql://[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9_]+");
    }

    // --- helpers ---

    /** The env vars a container gets, with values: env entries plus the ConfigMaps/Secrets of envFrom. */
    static Map<String, String> envOf(List<Map<String, Object>> resources, Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> from : list(container, "envFrom")) {
            String kind = from.containsKey("configMapRef") ? "ConfigMap" : "Secret";
            String ref = (String) map(from, kind.equals("ConfigMap") ? "configMapRef" : "secretRef").get("name");
            Map<String, Object> source = ofKind(resources, kind).stream().filter(r -> name(r).equals(ref)).findFirst()
                    .orElseGet(() -> fail("envFrom names " + kind + " " + ref + ", which the kustomization does not render"));
            map(source, "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Map<String, Object> e : list(container, "env")) {
            env.put((String) e.get("name"), e.containsKey("value") ? String.valueOf(e.get("value")) : "<from " + map(e, "valueFrom").keySet() + ">");
        }
        return env;
    }

    /** Names of the Deployments/StatefulSets whose pod labels carry every label of the selector. */
    static List<String> selected(List<Map<String, Object>> resources, Map<String, Object> selector) {
        if (selector.isEmpty()) {
            return List.of("<empty selector matches everything>", "<...>");
        }
        List<String> names = new ArrayList<>();
        for (Map<String, Object> workload : resources) {
            if (!List.of("Deployment", "StatefulSet").contains(workload.get("kind"))) {
                continue;
            }
            Map<String, Object> labels = map(workload, "spec", "template", "metadata", "labels");
            if (labels.entrySet().containsAll(selector.entrySet())) {
                names.add(name(workload));
            }
        }
        return names;
    }

    private static long preStopSleepSeconds(Map<String, Object> container) {
        Object command = map(container, "lifecycle", "preStop", "exec").get("command");
        if (command instanceof List<?> parts && parts.size() == 2 && "sleep".equals(parts.get(0))) {
            return Long.parseLong(String.valueOf(parts.get(1)));
        }
        Object sleep = map(container, "lifecycle", "preStop", "sleep").get("seconds");
        return sleep == null ? 0 : Long.parseLong(String.valueOf(sleep));
    }

    /** MicroProfile Config's env var for a property: non-alphanumerics become _, then upper case. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    /** lattice.* from LatticeConfig (by reflection, so new keys count at once) and every key of application.properties. */
    static Set<String> knownConfigKeys() throws IOException {
        Set<String> keys = new TreeSet<>(KEYS_OF_OTHER_EXTENSIONS);
        for (String key : properties.stringPropertyNames()) {
            keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
        }
        collectKeys("lattice", LatticeConfig.class, keys);
        return keys;
    }

    private static void collectKeys(String prefix, Class<?> group, Set<String> keys) {
        for (Method method : group.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String key = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith(LatticeConfig.class.getName())) {
                collectKeys(key, type, keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** Env vars application.properties reads itself through ${NAME:default}. */
    static Set<String> variablesReadByProperties() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(String.join("\n",
                properties.stringPropertyNames().stream().map(properties::getProperty).toList()));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Quarkus-style durations: 20s, 500ms, 5m, 1h, or ISO-8601. */
    static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            return Duration.parse(text.trim());
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
