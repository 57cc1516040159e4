package com.latticeengine.api;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the web pages read besides the run views: the laid-out graph, the run list's progress, the pages. */
@QuarkusTest
class RunGraphApiTest {

    @Test
    void graphHasEveryProjectAndLinkWithPositionsAndRows() {
        String runId = Api.submit(Lattice.create()
                .project("Mission", 1).project("Vehicle", 2, "Mission").project("Coverage", 3, "Vehicle")
                .flow("Mission", "Coverage", "needs"));

        JsonPath graph = given().when().get("/api/runs/" + runId + "/graph")
                .then().statusCode(200).header("Cache-Control", containsString("max-age"))
                .extract().jsonPath();

        assertEquals(List.of("Mission", "Vehicle", "Coverage"), graph.getList("nodes.name"));
        assertEquals(List.of(0, 1, 2), graph.getList("nodes.row"));
        List<Float> ys = graph.getList("nodes.y", Float.class);
        assertTrue(ys.get(0) < ys.get(1) && ys.get(1) < ys.get(2), "rows top-down: " + ys);
        assertEquals(List.of("parent", "parent", "data_flow"), graph.getList("edges.relation"));
        assertEquals("needs", graph.getString("edges[2].data_type"));
        assertEquals("Mission", graph.getString("edges[2].from"));
        assertEquals("Coverage", graph.getString("edges[2].to"));
    }

    @Test
    void graphOfAnUnknownRunIs404ProblemJson() {
        given().when().get("/api/runs/00000000-0000-0000-0000-000000000016/graph")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no run"));
        given().when().get("/api/runs/not-a-uuid/graph").then().statusCode(404);
    }

    @Test
    void runListCarriesCountsAndUsage() {
        String runId = Api.submit(Lattice.create().project("A", 1).project("B", 2, "A",
                Map.of("fail_permanently", true)));
        Api.awaitRunEnd(runId, Duration.ofSeconds(30));

        JsonPath list = given().when().get("/api/runs?state=FAILED&size=1000").then().statusCode(200)
                .extract().jsonPath();

        String run = "find { it.id == '" + runId + "' }";
        assertEquals(1, list.getInt(run + ".counts.succeeded"));
        assertEquals(1, list.getInt(run + ".counts.failed"));
        assertEquals(0, list.getInt(run + ".counts.waiting"));
        assertEquals(0, list.getInt(run + ".usage.calls"));
    }

    @Test
    void pagesAreServedAtTheirAddresses() {
        given().when().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("data-page=\"runs\""));
        given().when().get("/runs/00000000-0000-0000-0000-000000000016").then().statusCode(200)
                .body(containsString("data-page=\"run\""));
        given().when().get("/submit").then().statusCode(200).body(containsString("data-page=\"submit\""));
        // Scripts and styles are bundled files, never inline, so a strict Content-Security-Policy holds.
        String page = given().when().get("/runs/x").then().statusCode(200).extract().asString();
        assertTrue(page.matches("(?s).*<script type=\"module\" src=\"/static/bundle/[^\"]+\\.js\"></script>.*"), page);
        assertEquals(-1, page.indexOf("<script>"));
        assertEquals(-1, page.indexOf("style=\""));
        given().when().get("/runs/x/").then().statusCode(200).body(containsString("data-page=\"run\""));
    }
}
