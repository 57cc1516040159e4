package com.latticeengine.ops;

import com.latticeengine.it.Db;
import com.latticeengine.it.ReplicaProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readiness goes DOWN while Postgres is stopped and UP again after it is back, while liveness
 * stays UP (a database outage must not make Kubernetes restart every pod). STOPS THE LOCAL
 * POSTGRES CLUSTER for a few seconds, so it runs only as a failsafe IT, and always restarts it.
 * Needs a local Debian cluster (pg_ctlcluster, root); skipped with a message otherwise.
 */
class ReadinessIT {

    @Test
    void readinessFollowsTheDatabaseAndLivenessDoesNot() throws Exception {
        Matcher url = Pattern.compile("jdbc:postgresql://(127\\.0\\.0\\.1|localhost)(?::(\\d+))?/.*").matcher(Db.url());
        Assumptions.assumeTrue(url.matches(), "ReadinessIT needs a local Postgres; LATTICE_TEST_DB_URL is " + Db.url());
        String[] cluster = localCluster(url.group(2) == null ? "5432" : url.group(2));
        try (ReplicaProcess app = ReplicaProcess.start("ops-it-readiness", Map.of())) {
            app.waitUntilReady();
            try {
                pgCtl(cluster, "stop");
                HttpResponse<String> down = await(app, "/q/health/ready", 503, Duration.ofSeconds(30));
                assertTrue(down.body().contains("\"DOWN\""), down.body());
                assertEquals(200, app.get("/q/health/live").statusCode(), "liveness must stay UP during a database outage");
            } finally {
                pgCtl(cluster, "start");
            }
            HttpResponse<String> up = await(app, "/q/health/ready", 200, Duration.ofSeconds(60));
            assertTrue(up.body().contains("\"UP\""), up.body());
        }
    }

    private static HttpResponse<String> await(ReplicaProcess app, String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = app.get(path);
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(500);
        }
        return fail(path + " did not answer " + status + " within " + timeout + "; last: "
                + (last == null ? null : last.statusCode() + " " + last.body()));
    }

    /** {version, name} of the Debian cluster listening on the port. */
    private static String[] localCluster(String port) throws Exception {
        String out;
        try {
            out = run("pg_lsclusters", "-h");
        } catch (IOException e) {
            Assumptions.abort("ReadinessIT needs pg_lsclusters/pg_ctlcluster (Debian postgresql-common): " + e.getMessage());
            return null;
        }
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[2].equals(port)) {
                return new String[] {f[0], f[1]};
            }
        }
        Assumptions.abort("no local Postgres cluster on port " + port + " in: " + out);
        return null;
    }

    private static void pgCtl(String[] cluster, String action) throws Exception {
        run("pg_ctlcluster", "--skip-systemctl-redirect", cluster[0], cluster[1], action);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
