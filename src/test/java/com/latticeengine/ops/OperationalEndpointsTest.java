package com.latticeengine.ops;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operational surface on the running app: every probe path the manifests use, metrics, OpenAPI. */
@QuarkusTest
class OperationalEndpointsTest {

    @Test
    void everyProbePathOfTheManifestsAnswers200() throws Exception {
        Set<String> paths = new TreeSet<>();
        for (String dir : Manifests.kustomizations()) {
            for (Map<String, Object> deployment : Manifests.ofKind(Manifests.render(dir), "Deployment")) {
                for (Map<String, Object> container : Manifests.engineContainers(deployment)) {
                    for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
                        paths.add((String) Manifests.map(container, probe, "httpGet").get("path"));
                    }
                }
            }
        }
        assertEquals(Set.of("/q/health/started", "/q/health/ready", "/q/health/live"), paths);
        for (String path : paths) {
            given().when().get(path).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("UP"));
        }
    }

    @Test
    void readinessCoversTheDatabaseAndMigrationsAndLivenessTheWorkerLoop() {
        JsonPath ready = given().when().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        assertEquals("UP", ready.getString("checks.find { it.name == 'Database connections health check' }.status"),
                "the datasource readiness check must be on");
        assertEquals("UP", ready.getString("checks.find { it.name == 'lattice-schema-migrations' }.status"));
        JsonPath live = given().when().get("/q/health/live").then().statusCode(200).extract().jsonPath();
        assertEquals("UP", live.getString("checks.find { it.name == 'lattice-worker-poller' }.status"));
        assertTrue(live.getString("checks.find { it.name == 'lattice-worker-poller' }.data.last_poll") != null);
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().when().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/runs"), containsString("Submit a lattice as a new run"),
                        containsString("Mission Analysis"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void metricsCountersMoveDuringARun() {
        double claimedBefore = metric("lattice_tasks_claimed_total");
        double succeededBefore = metric("lattice_tasks_succeeded_total");
        String run = Api.submit(Lattice.create().project("A", 1).project("B", 2, "A").project("C", 2, "A"));
        assertEquals("SUCCEEDED", Api.awaitRunEnd(run, Duration.ofSeconds(30)).getString("state"));
        // The counter is incremented after the result is committed; allow the last one a moment.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (metric("lattice_tasks_succeeded_total") < succeededBefore + 3 && System.nanoTime() < deadline) {
            Api.sleep(50);
        }
        assertTrue(metric("lattice_tasks_succeeded_total") >= succeededBefore + 3, "succeeded counter did not move by 3");
        assertTrue(metric("lattice_tasks_claimed_total") >= claimedBefore + 3, "claimed counter did not move by 3");
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] {"lattice_tasks_failed_total", "lattice_tasks_retried_total", "lattice_tasks_lost_total",
                "lattice_queue_ready_tasks", "lattice_queue_ready_oldest_age_seconds", "lattice_claim_latency_seconds_count",
                "lattice_completion_latency_seconds_count", "lattice_task_duration_seconds_count"}) {
            assertTrue(text.contains(name), "/q/metrics lacks " + name);
        }
        assertTrue(!text.contains(run), "a run id appears in the metrics");
    }

    /** Sum of all series of a metric in /q/metrics. */
    static double metric(String name) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+|NaN)$").matcher(text);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            found = true;
            sum += Double.parseDouble(m.group(2));
        }
        assertTrue(found, "no metric " + name + " in /q/metrics");
        return sum;
    }
}
