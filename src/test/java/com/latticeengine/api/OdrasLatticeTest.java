package com.latticeengine.api;

import com.latticeengine.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A lattice exactly as ODRAS's generator writes it runs as submitted. */
@QuarkusTest
class OdrasLatticeTest {

    /** Every field ODRAS writes, an L0 root, flows with description and trigger_event. */
    static final String ODRAS_DOCUMENT = """
            {"requirements": "The UAV shall survey 50 km2 per hour for 10 hours.",
             "lattice": {
               "analysis_summary": "Survey UAV: ontology, mission, concepts, selection",
               "confidence": 0.82,
               "confidence_reasoning": "Requirements name mission, endurance and area rate",
               "lattice_reasoning": "Foundation first, then strategy, then tactics, then the selection",
               "lattice_type": "hierarchical",
               "domains": ["ontology", "mission", "systems", "acquisition"],
               "projects": [
                 {"name": "Ontology", "domain": "ontology", "layer": 0, "description": "Shared terms",
                  "purpose": "Define the vocabulary", "inputs": ["requirements"], "outputs": ["ontology"],
                  "processing_type": "analysis", "parent_name": null, "subscribes_to": [],
                  "publishes": ["ontology.published"]},
                 {"name": "Mission Analysis", "domain": "mission", "layer": 1, "description": "Mission needs",
                  "purpose": "Decompose the mission", "inputs": ["ontology", "stakeholder interviews"],
                  "outputs": ["mission needs"], "processing_type": "analysis", "parent_name": "Ontology",
                  "subscribes_to": ["ontology.published"], "publishes": ["mission.defined"]},
                 {"name": "Concept Design", "domain": "systems", "layer": 2, "description": "Candidate concepts",
                  "purpose": "Design concepts", "inputs": ["mission needs"], "outputs": ["concepts"],
                  "processing_type": "design", "parent_name": "Mission Analysis",
                  "subscribes_to": ["mission.defined", "budget.approved"], "publishes": ["concepts.ready"]},
                 {"name": "Solution Selection", "domain": "acquisition", "layer": 3, "description": "Pick one",
                  "purpose": "Select the material solution", "inputs": ["concepts", "mission needs"],
                  "outputs": ["selection"], "processing_type": "evaluation", "parent_name": "Concept Design",
                  "subscribes_to": ["concepts.ready"], "publishes": []}
               ],
               "data_flows": [
                 {"from_project": "Mission Analysis", "to_project": "Solution Selection", "data_type": "mission needs",
                  "description": "Needs to score against", "trigger_event": "mission.defined"},
                 {"from_project": "Ontology", "to_project": "Concept Design", "data_type": "ontology",
                  "description": "Terms for the concepts", "trigger_event": "ontology.published"}
               ]
             }}""";

    @Test
    void anOdrasDocumentRunsWithItsMetadataAndWarnings() {
        JsonPath created = given().contentType(ContentType.JSON).body(ODRAS_DOCUMENT)
                .when().post("/api/runs")
                .then().statusCode(201)
                .body("lattice_metadata.confidence", equalTo(0.82f))
                .body("warnings.field", hasItem("lattice.projects[2].subscribes_to[1]"))
                .extract().jsonPath();
        String run = created.getString("id");
        JsonPath done = Api.awaitRunEnd(run, Duration.ofSeconds(60));
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());
        assertEquals(0, done.getInt("tasks.find { it.name == 'Ontology' }.layer"));

        Map<String, Object> metadata = done.getMap("lattice_metadata");
        assertEquals(List.of("analysis_summary", "confidence", "confidence_reasoning", "lattice_reasoning",
                "lattice_type", "domains"), List.copyOf(metadata.keySet()));
        assertEquals(List.of("ontology", "mission", "systems", "acquisition"), metadata.get("domains"));
        assertEquals(List.of(
                Map.of("field", "lattice.projects[0].inputs[0]", "reason", "no upstream project of 'Ontology'"
                        + " produces 'requirements' (in its outputs[] or as a data flow's data_type)"),
                Map.of("field", "lattice.projects[1].inputs[1]", "reason", "no upstream project of 'Mission Analysis'"
                        + " produces 'stakeholder interviews' (in its outputs[] or as a data flow's data_type)"),
                Map.of("field", "lattice.projects[2].subscribes_to[1]", "reason", "no project publishes 'budget.approved'")),
                done.getList("warnings"));
        JsonPath selection = Api.task(run, "Solution Selection");
        assertEquals("evaluation", selection.getString("project.processing_type"));
        assertEquals(List.of("Concept Design", "Mission Analysis"), selection.getList("upstream"));
    }

    @Test
    void theShippedOdrasExampleRunsSimulatedWithItsWarnings() throws Exception {
        String body = Files.readString(Path.of("examples/odras-material-selection.json"));
        JsonPath created = given().contentType(ContentType.JSON).body(body)
                .when().post("/api/runs").then().statusCode(201).extract().jsonPath();
        assertEquals(List.of("lattice.projects[0].inputs[0]", "lattice.projects[1].inputs[1]",
                "lattice.projects[5].subscribes_to[1]", "lattice.projects[5].inputs[1]"), created.getList("warnings.field"));
        JsonPath done = Api.awaitRunEnd(created.getString("id"), Duration.ofSeconds(90));
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());
        assertEquals("hierarchical", done.getString("lattice_metadata.lattice_type"));
    }

    @Test
    void aNegativeLayerIs400() {
        given().contentType(ContentType.JSON).body(ODRAS_DOCUMENT.replace("\"layer\": 0", "\"layer\": -1"))
                .when().post("/api/runs")
                .then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", hasItem("lattice.projects[0].layer"))
                .body("detail", containsString("must be an integer >= 0"));
    }

    @Test
    void aLatticeWithoutWarningsOrMetadataShowsEmptyOnes() {
        String run = given().contentType(ContentType.JSON)
                .body("{\"requirements\":\"r\",\"lattice\":{\"projects\":[{\"name\":\"A\",\"layer\":1}]}}")
                .when().post("/api/runs").then().statusCode(201)
                .body("warnings.size()", equalTo(0))
                .body("lattice_metadata.size()", equalTo(0))
                .extract().path("id");
        Api.awaitRunEnd(run, Duration.ofSeconds(30));
    }
}
