package com.latticeengine.support;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

/** The REST calls tests make, over real HTTP. */
public final class Api {

    private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private Api() {
    }

    /** Returns the new run's id, read from the Location header so that no JSON is parsed on the way. */
    public static String submit(Lattice lattice) {
        String location = given().contentType(ContentType.JSON).body(lattice.body())
                .when().post("/api/runs")
                .then().statusCode(201)
                .extract().header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    public static JsonPath run(String runId) {
        return given().when().get("/api/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath task(String runId, String name) {
        return given().pathParam("run", runId).pathParam("name", name)
                .when().get("/api/runs/{run}/tasks/{name}").then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath awaitRunEnd(String runId, Duration timeout) {
        return awaitRun(runId, timeout, view -> FINAL.contains(view.getString("state")));
    }

    public static JsonPath awaitRun(String runId, Duration timeout, Predicate<JsonPath> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath view = run(runId);
        while (!condition.test(view)) {
            if (System.nanoTime() > deadline) {
                fail("run " + runId + " did not reach the expected condition within " + timeout + "; last view: "
                        + view.prettify());
            }
            sleep(50);
            view = run(runId);
        }
        return view;
    }

    public static String taskState(JsonPath run, String name) {
        return run.getString("tasks.find { it.name == '" + name + "' }.state");
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
