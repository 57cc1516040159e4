package com.latticeengine.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database restarts in the middle of a run: every replica loses every connection at once.
 * The replicas must survive, report not-ready while the database is away (checked if caught,
 * never required), and finish the run with every task succeeded exactly once; attempts cut off
 * by the restart may only end LOST.
 *
 * <p>Needs the test database to be a local Debian cluster ({@code pg_ctlcluster}, run as root);
 * the cluster is the one listening on the port of {@code LATTICE_TEST_DB_URL}. Skipped otherwise.
 */
class PostgresRestartIT {

    private static final long SEED = Long.getLong("lattice.it.seed", 100L);
    private static final int TASKS = 100;
    /** Upstreams from the 4 projects before each one: a narrow lattice of ~10 s at 200 ms a task. */
    private static final int WINDOW = 4;
    private static final int MAX_ATTEMPTS = 5;
    private static final Pattern URL = Pattern.compile("^jdbc:postgresql://([^/:?]+)(?::(\\d+))?/.*");

    private final Replicas replicas = new Replicas();

    private record Cluster(String version, String name) {
    }

    @AfterEach
    void stopReplicas() {
        replicas.close();
    }

    @Test
    void runSurvivesAPostgresRestartWithEveryTaskSucceededExactlyOnce() throws Exception {
        Cluster cluster = localCluster();

        Db.truncateIfSchemaExists();
        ReplicaProcess p1 = replicas.start("pgrestart-1");
        ReplicaProcess p2 = replicas.start("pgrestart-2");
        replicas.awaitReady(p1, p2);
        Db.truncate();

        Lattices.Submission lattice = Lattices.random(SEED, TASKS, WINDOW, 200, 200, MAX_ATTEMPTS);
        long start = System.nanoTime();
        UUID runId = Api.submit(p1, lattice.json());
        Await.untilTrue("20 tasks of run " + runId + " to succeed", Duration.ofSeconds(30), 100,
                () -> Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state = 'SUCCEEDED'", runId) >= 20);
        long unfinished = Db.count("SELECT count(*) FROM task WHERE run_id = ? AND state <> 'SUCCEEDED'", runId);
        assertTrue(unfinished > 0, "the run ended before the database restart; make the lattice longer");

        HealthWatch watch = new HealthWatch(List.of(p1, p2));
        watch.start();
        long restartAt = System.nanoTime();
        try {
            restart(cluster);
        } finally {
            System.out.printf("[it] database restarted with %d task(s) unfinished, in %d ms%n", unfinished,
                    (System.nanoTime() - restartAt) / 1_000_000);
        }

        try {
            String state = RunChecks.awaitRunEnded(runId, Duration.ofSeconds(90));
            System.out.printf("[it] run %s ended %s after %d ms; attempts per worker %s%n", runId, state,
                    (System.nanoTime() - start) / 1_000_000, RunChecks.attemptsByWorker(runId));
        } finally {
            watch.stop();
            System.out.printf("[it] readiness answers during and after the restart: %s%n", watch.seen);
            if (!watch.seen.containsKey(503)) {
                System.out.println("[it] note: no 503 from /q/health/ready caught during the outage (it was short)");
            }
        }

        assertTrue(p1.isAlive() && p2.isAlive(), "both replicas survive the database restart\n"
                + p1.logTail(30) + "\n" + p2.logTail(30));
        for (ReplicaProcess replica : List.of(p1, p2)) {
            Await.untilTrue(replica.name() + " ready again", Duration.ofSeconds(30), 200,
                    () -> replica.readiness() == 200);
        }
        RunChecks.assertRunSucceeded(runId, lattice);
        RunChecks.assertExactlyOneSucceededAttempt(runId);
        RunChecks.assertAttemptOutcomesOnly(runId, Set.of("SUCCEEDED", "LOST"));
        RunChecks.assertCountersConsistent(runId);
        RunChecks.assertNoTaskStartedBeforeUpstreamFinished(runId);
        System.out.printf("[it] LOST attempts: %d%n", Db.count("SELECT count(*) FROM task_attempt a"
                + " JOIN task t ON t.id = a.task_id WHERE t.run_id = ? AND a.outcome = 'LOST'", runId));
    }

    /** The local cluster serving the test database, or the test is skipped. */
    private static Cluster localCluster() throws Exception {
        Matcher url = URL.matcher(Db.url());
        Assumptions.assumeTrue(url.matches(), "PostgresRestartIT skipped: cannot parse " + Db.url());
        String host = url.group(1);
        String port = url.group(2) == null ? "5432" : url.group(2);
        Assumptions.assumeTrue(Set.of("127.0.0.1", "localhost", "::1", "[::1]").contains(host),
                "PostgresRestartIT skipped: the test database " + Db.url() + " is not on this machine");
        Shell list = Shell.run("command -v pg_ctlcluster >/dev/null && pg_lsclusters -h", Duration.ofSeconds(20));
        Assumptions.assumeTrue(list.exit == 0, "PostgresRestartIT skipped: pg_ctlcluster/pg_lsclusters not available "
                + "(needs a local Debian PostgreSQL cluster): " + list.output);
        for (String line : list.output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // Ver Cluster Port Status Owner Data-directory Log-file
            if (f.length >= 4 && f[2].equals(port) && f[3].startsWith("online")) {
                return new Cluster(f[0], f[1]);
            }
        }
        Assumptions.abort("PostgresRestartIT skipped: no online local cluster on port " + port + " (pg_lsclusters: "
                + list.output.trim() + ")");
        throw new IllegalStateException("unreachable");
    }

    private static void restart(Cluster cluster) throws Exception {
        String command = "pg_ctlcluster --skip-systemctl-redirect " + cluster.version() + " " + cluster.name() + " restart";
        System.out.println("[it] " + command);
        Shell result = Shell.run(command, Duration.ofSeconds(60));
        assertEquals(0, result.exit, command + " failed: " + result.output);
    }

    private record Shell(int exit, String output) {
        static Shell run(String command, Duration timeout) throws IOException, InterruptedException {
            Path out = Files.createTempFile("lattice-it-shell", ".log");
            try {
                Process process = new ProcessBuilder("bash", "-c", command)
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return new Shell(-1, "timed out after " + timeout);
                }
                return new Shell(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }

    /** Polls the replicas' readiness in the background and counts the status codes seen (-1 = no answer). */
    private static final class HealthWatch {
        final Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        private final List<ReplicaProcess> replicas;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        HealthWatch(List<ReplicaProcess> replicas) {
            this.replicas = replicas;
            this.thread = new Thread(this::loop, "it-health-watch");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (running.get()) {
                for (ReplicaProcess replica : replicas) {
                    seen.computeIfAbsent(replica.readiness(), k -> new AtomicInteger()).incrementAndGet();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(5000);
        }
    }
}
