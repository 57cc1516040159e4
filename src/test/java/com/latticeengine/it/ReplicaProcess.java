package com.latticeengine.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One engine replica: the packaged jar ({@code target/quarkus-app/quarkus-run.jar}) in its own
 * JVM on a free port, against the test database, with its output in
 * {@code target/it-logs/<name>.log}. The replica's name is also its worker id, so task and
 * attempt rows say which process ran them.
 *
 * <p>Every process started here is destroyed by a JVM shutdown hook if the test did not stop it,
 * so no replica outlives the test JVM (short of the test JVM itself being SIGKILLed).
 *
 * <p>Public so that the ops ITs ({@code com.latticeengine.ops.RolesIT}, {@code ReadinessIT}) start
 * their replicas the same way.
 */
public final class ReplicaProcess implements AutoCloseable {

    /** 128 + SIGKILL(9): how the JDK reports a process killed by SIGKILL on Linux. */
    public static final int SIGKILL_EXIT = 137;
    /** 128 + SIGTERM(15). */
    public static final int SIGTERM_EXIT = 143;

    private static final Path JAR = Path.of(System.getProperty("lattice.it.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final Path LOG_DIR = Path.of("target", "it-logs");
    /**
     * 120 s by default, enough for two replicas starting at once on a busy 2-core machine;
     * -Dlattice.it.ready-timeout-s=N for a machine that is busier still.
     */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(Long.getLong("lattice.it.ready-timeout-s", 120));
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "it-replica-reaper"));
    }

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private ReplicaProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Engine settings every replica gets unless {@code extraProps} overrides them: fast timers
     * (lease 3s, heartbeat 1s, reaper 1s, poll 1s), 4 worker slots, a modest connection pool and
     * authentication off.
     */
    public static Map<String, String> defaultProps() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.datasource.jdbc.url", Db.url());
        props.put("quarkus.datasource.username", Db.user());
        props.put("quarkus.datasource.jdbc.max-size", "10");
        props.put("quarkus.http.host", "127.0.0.1");
        props.put("lattice.worker.concurrency", "4");
        props.put("lattice.worker.lease", "3s");
        props.put("lattice.worker.heartbeat", "1s");
        props.put("lattice.worker.reaper-interval", "1s");
        props.put("lattice.worker.poll-interval", "1s");
        props.put("lattice.worker.shutdown-grace", "5s");
        // The jar runs in the prod profile, where /api needs credentials; these ITs test the engine,
        // so they switch auth off explicitly (it/AuthReplicaIT turns it back on).
        props.put("lattice.auth.enabled", "false");
        return props;
    }

    /** Starts a replica without waiting for it; call {@link #waitUntilReady()} before using it. */
    public static ReplicaProcess start(String name, Map<String, String> extraProps) {
        assertTrue(Files.isRegularFile(JAR), "no packaged application at " + JAR.toAbsolutePath()
                + " (run ./mvnw verify so that package runs before the integration tests)");
        int port = freePort();
        Map<String, String> props = defaultProps();
        props.putAll(extraProps);
        props.put("quarkus.http.port", Integer.toString(port));
        props.put("lattice.worker.id", name);
        // Names the replica's database sessions, so a test can see when a killed replica's sessions are gone.
        String url = props.get("quarkus.datasource.jdbc.url");
        props.put("quarkus.datasource.jdbc.url", url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + name);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());

        try {
            Files.createDirectories(LOG_DIR);
            Path log = LOG_DIR.resolve(name + ".log");
            Files.deleteIfExists(log);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process process = builder.start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            System.out.printf("[it] started replica %s (pid %d) on port %d, log %s%n", name, process.pid(), port, log);
            return new ReplicaProcess(name, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start replica " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /** The worker id this replica writes into task and attempt rows (= its name). */
    public String workerId() {
        return name;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Polls {@code /q/health/ready} until it answers 200; fails with the log tail on timeout or early exit. */
    public ReplicaProcess waitUntilReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("replica " + name + " exited with code " + process.exitValue() + " before it was ready\n"
                        + logTail(60));
            }
            if (readiness() == 200) {
                return this;
            }
            sleep(250);
        }
        return fail("replica " + name + " not ready within " + READY_TIMEOUT.toSeconds()
                + " s (on a loaded machine raise -Dlattice.it.ready-timeout-s)\n" + logTail(60));
    }

    /** Polls until the replica answers HTTP at all (ready or not: for a replica whose database is gone). */
    public ReplicaProcess waitUntilAnswering() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("replica " + name + " exited with code " + process.exitValue() + " before it answered\n"
                        + logTail(60));
            }
            try {
                get("/q/health/started");
                return this;
            } catch (IOException e) {
                sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            }
        }
        return fail("replica " + name + " did not answer within " + READY_TIMEOUT.toSeconds() + " s\n" + logTail(60));
    }

    /** HTTP status of {@code /q/health/ready}, or -1 when the replica does not answer within 2 s. */
    public int readiness() {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whatever the replica answers, error statuses included, for tests that check those. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postJson(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Any request; {@code headers} are name, value pairs; {@code body} null sends none. */
    public HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGKILL (Process.destroyForcibly on Linux); waits for the exit and checks it was the signal. */
    public void sigkill() {
        process.destroyForcibly();
        int code = awaitExit(Duration.ofSeconds(10)).orElseThrow(
                () -> new AssertionError("replica " + name + " still alive 10 s after SIGKILL"));
        assertEquals(SIGKILL_EXIT, code, "replica " + name + " should have died of SIGKILL");
        System.out.printf("[it] SIGKILLed replica %s (exit %d)%n", name, code);
    }

    /** SIGTERM (Process.destroy on Linux): the replica shuts down gracefully. Does not wait. */
    public void sigterm() {
        process.destroy();
        System.out.printf("[it] sent SIGTERM to replica %s%n", name);
    }

    /** Waits up to {@code timeout} for the process to end; its exit code, or empty if it is still running. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** Ends the process however it is (SIGKILL if still running); for cleanup, never fails. */
    public void destroy() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Graceful, unlike {@link #destroy()}: SIGTERM, then SIGKILL if the replica has not ended within
     * 30 s, so a test using try-with-resources ends its replicas as a deployment would.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            sigterm();
            if (awaitExit(Duration.ofSeconds(30)).isEmpty()) {
                destroy();
            }
        }
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read " + log + ": " + e.getMessage() + ")";
        }
    }

    public String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return "--- last " + Math.min(lines, all.size()) + " lines of " + log + " ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ", port " + port + ")";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
