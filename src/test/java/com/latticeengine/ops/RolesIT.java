package com.latticeengine.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.it.Db;
import com.latticeengine.it.ReplicaProcess;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One image, two roles, real processes: an API-only replica accepts a lattice, a worker-only
 * replica runs every task of it, and the worker-only replica refuses /api/* with 404 problem+json.
 */
class RolesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LATTICE = """
            {"requirements": "The system shall be split into roles.", "processor": "simulated",
             "lattice": {"projects": [
               {"name": "A", "layer": 1, "parent_name": null, "description": "a", "simulate": {"latency_ms": 50}},
               {"name": "B", "layer": 2, "parent_name": "A", "description": "b", "simulate": {"latency_ms": 50}},
               {"name": "C", "layer": 2, "parent_name": "A", "description": "c", "simulate": {"latency_ms": 50}}],
              "data_flows": [{"from_project": "B", "to_project": "C", "data_type": "spec"}]}}
            """;

    @Test
    void apiOnlyAndWorkerOnlyReplicasRunALatticeTogether() throws Exception {
        String workerId = "ops-it-worker-" + UUID.randomUUID().toString().substring(0, 8);
        try (ReplicaProcess api = ReplicaProcess.start("ops-it-api", Map.of("lattice.worker.enabled", "false"));
             ReplicaProcess worker = ReplicaProcess.start(workerId, Map.of("lattice.api.enabled", "false"))) {
            api.waitUntilReady();
            worker.waitUntilReady();

            HttpResponse<String> submitted = api.postJson("/api/runs", LATTICE);
            assertEquals(201, submitted.statusCode(), submitted.body());
            String runId = JSON.readTree(submitted.body()).get("id").asText();

            JsonNode run = awaitEnd(api, runId, Duration.ofSeconds(60));
            assertEquals("SUCCEEDED", run.get("state").asText(), run.toPrettyString());
            assertEquals(Set.of(workerId), attemptWorkers(runId), "every attempt must have run on the worker-only replica");

            for (HttpResponse<String> refused : new HttpResponse[] {worker.get("/api/runs"), worker.get("/api/runs/" + runId),
                    worker.postJson("/api/runs", LATTICE)}) {
                assertEquals(404, refused.statusCode(), refused.body());
                assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse("")
                        .split(";")[0]);
                JsonNode problem = JSON.readTree(refused.body());
                assertEquals(404, problem.get("status").asInt());
                assertEquals("Not Found", problem.get("title").asText());
                assertTrue(problem.get("detail").asText().contains("lattice.api.enabled=false"), refused.body());
            }
            // Both replicas are healthy in their role; only the worker counted the tasks.
            assertEquals(200, api.get("/q/health/live").statusCode());
            assertEquals(200, worker.get("/q/health/live").statusCode());
            assertTrue(counter(worker, "lattice_tasks_succeeded_total") >= 3);
            assertEquals(0.0, counter(api, "lattice_tasks_claimed_total"));
        }
    }

    private static JsonNode awaitEnd(ReplicaProcess api, String runId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = api.get("/api/runs/" + runId);
            assertEquals(200, response.statusCode(), response.body());
            run = JSON.readTree(response.body());
            if (Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(run.get("state").asText())) {
                return run;
            }
            Thread.sleep(200);
        }
        return fail("run " + runId + " did not end within " + timeout + ": " + run);
    }

    private static Set<String> attemptWorkers(String runId) throws Exception {
        Set<String> workers = new TreeSet<>();
        try (Connection c = Db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT DISTINCT a.worker_id FROM task_attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = ?")) {
            ps.setObject(1, UUID.fromString(runId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    workers.add(rs.getString(1));
                }
            }
        }
        return workers;
    }

    static double counter(ReplicaProcess process, String name) throws Exception {
        String text = process.get("/q/metrics").body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return fail("no " + name + " in /q/metrics of " + process.name());
    }
}
