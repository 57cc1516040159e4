package com.latticeengine.processing.llm;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.latticeengine.support.Api;
import com.latticeengine.support.FakeOpenAi;
import com.latticeengine.support.Lattice;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.latticeengine.support.FakeOpenAi.call;
import static com.latticeengine.support.FakeOpenAi.completion;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ODRAS-grade processing against the fake OpenAI server: run prompts and context, upstream_data,
 * is_terminal, output schemas with repair calls, per-project model settings. Each test uses its own model name, so stubs and request logs never mix.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeOpenAi.class, restrictToAnnotatedClass = true)
class LlmOdrasProcessingTest {

    @Inject
    AgroalDataSource dataSource;

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String SYSTEM = "CUSTOM SYSTEM: you are the {{project.domain}} expert of {{project.name}}.";
    static final String USER = """
            PROJECT {{project.name}} TERMINAL={{is_terminal}}
            {{#is_terminal}}You MUST make a selection.{{/is_terminal}}{{^is_terminal}}Prepare data for downstream.{{/is_terminal}}
            REQUIREMENTS {{requirements}}
            TRIGGERS {{#inputs}}{{#flow.trigger_event}}{{.}};{{/flow.trigger_event}}{{/inputs}}
            CONTEXT {{context}}
            UPSTREAM DATA AVAILABLE {{upstream_data}}""";

    private static Lattice odras(String model, String requirements) {
        Map<String, Object> llm = new LinkedHashMap<>();
        llm.put("model", model);
        llm.put("json", true);
        return Lattice.create().requirements(requirements)
                .option("processor", "llm").option("llm", llm)
                .option("prompts", Map.of("system", SYSTEM, "user", USER))
                .option("context", Map.of("material_solutions", List.of("Fixed wing", "Quadcopter")))
                .project("Ontology", 0).field("Ontology", "domain", "ontology")
                .project("Concept A", 1, "Ontology").field("Concept A", "domain", "aero")
                .project("Concept B", 1, "Ontology").field("Concept B", "domain", "power")
                .project("Trade Study", 2, "Ontology").field("Trade Study", "domain", "systems")
                .project("Selection", 3, "Trade Study").field("Selection", "domain", "acquisition")
                .project("Risk Note", 2, "Concept A").field("Risk Note", "domain", "risk")
                .flow("Concept A", "Trade Study", "concepts", true, Map.of("trigger_event", "a.done"))
                .flow("Concept B", "Trade Study", "concepts", true, Map.of("trigger_event", "b.done"));
    }

    private static void answerPerProject(String model, List<String> projects) {
        FakeOpenAi.server.stubFor(call(model).atPriority(5).willReturn(completion(model, "{\"from\":\"other\"}", 10, 5)));
        for (String name : projects) {
            FakeOpenAi.server.stubFor(call(model).atPriority(1)
                    .withRequestBody(WireMock.containing("PROJECT " + name + " TERMINAL"))
                    .willReturn(completion(model, "{\"from\":\"" + name + "\"}", 10, 5)));
        }
    }

    private static JsonPath messages(LoggedRequest request) {
        return JsonPath.from(request.getBodyAsString());
    }

    @Test
    void theFanInRequestCarriesTheRunPromptsContextRequirementsAndBothOutputsOfASharedDataType() throws Exception {
        String model = "m-odras-prompts";
        List<String> names = List.of("Ontology", "Concept A", "Concept B", "Trade Study", "Selection", "Risk Note");
        answerPerProject(model, names);
        String requirements = "The UAV shall survey 50 km2 per hour. [" + UUID.randomUUID() + "]";
        String run = Api.submit(odras(model, requirements));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());

        Map<String, String> terminal = new HashMap<>();
        LoggedRequest fanIn = null;
        for (LoggedRequest r : FakeOpenAi.requests(model)) {
            String user = messages(r).getString("messages[1].content");
            String name = user.substring("PROJECT ".length(), user.indexOf(" TERMINAL="));
            terminal.put(name, user.substring(user.indexOf("TERMINAL=") + 9, user.indexOf('\n')));
            if (name.equals("Trade Study")) {
                fanIn = r;
            }
        }
        assertEquals(Map.of("Ontology", "false", "Concept A", "false", "Concept B", "false", "Trade Study", "false",
                "Selection", "true", "Risk Note", "true"), terminal, "is_terminal is true exactly for the sinks");

        JsonPath request = messages(fanIn);
        assertEquals("system", request.getString("messages[0].role"));
        assertEquals("CUSTOM SYSTEM: you are the systems expert of Trade Study.", request.getString("messages[0].content"));
        String user = request.getString("messages[1].content");
        assertTrue(user.contains("\nPrepare data for downstream.\n"), user);
        assertTrue(user.contains("REQUIREMENTS " + requirements + "\n"), user);
        assertTrue(user.contains("TRIGGERS a.done;b.done;\n"), user);
        assertTrue(user.contains("CONTEXT {\n  \"material_solutions\" : [ \"Fixed wing\", \"Quadcopter\" ]\n}"), user);
        String upstream = user.substring(user.indexOf("UPSTREAM DATA AVAILABLE ") + "UPSTREAM DATA AVAILABLE ".length());
        assertEquals(Map.of("parent_data", Map.of("from", "Ontology"),
                        "concepts", List.of(Map.of("from", "Concept A"), Map.of("from", "Concept B"))),
                JsonPath.from(upstream).getMap(""));

        String selection = messages(FakeOpenAi.requests(model).stream()
                .filter(r -> r.getBodyAsString().contains("PROJECT Selection TERMINAL")).findFirst().orElseThrow())
                .getString("messages[1].content");
        assertTrue(selection.contains("\nYou MUST make a selection.\n"), selection);
        assertEquals("Trade Study", Api.task(run, "Selection").getString("inputs[0].from_project"));
    }

    static final Map<String, Object> RESULT_SCHEMA = Map.of(
            "type", "object",
            "required", List.of("project_name", "confidence"),
            "properties", Map.of("project_name", Map.of("type", "string"),
                    "confidence", Map.of("type", "number", "minimum", 0, "maximum", 1)));

    private static Lattice structured(String model, Map<String, Object> extraLlm) {
        Map<String, Object> llm = new LinkedHashMap<>(extraLlm);
        llm.put("model", model);
        llm.put("output_schema", RESULT_SCHEMA);
        return Lattice.create().requirements("The UAV shall fly. [" + UUID.randomUUID() + "]")
                .option("processor", "llm").option("llm", llm)
                .project("Analysis", 1).project("Selection", 2, "Analysis");
    }

    @Test
    void anAnswerWithoutConfidenceGetsOneRepairCallAndOnlyTheValidObjectIsStored() {
        String model = "m-odras-repair";
        FakeOpenAi.server.stubFor(call(model).atPriority(5).willReturn(completion(model,
                "{\"project_name\":\"Selection\",\"confidence\":0.7}", 10, 5)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).inScenario("repair")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("repaired")
                .withRequestBody(WireMock.containing("Project Analysis"))
                .willReturn(completion(model, "Here is the analysis:\n{\"project_name\":\"Analysis\"}", 100, 20)));
        FakeOpenAi.server.stubFor(call(model).atPriority(1).inScenario("repair").whenScenarioStateIs("repaired")
                .withRequestBody(WireMock.containing("Project Analysis"))
                .willReturn(completion(model, "```json\n{\"project_name\":\"Analysis\",\"confidence\":0.9}\n```", 120, 25)));

        String run = Api.submit(structured(model, Map.of("structured", "json_schema")));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());

        JsonPath analysis = Api.task(run, "Analysis");
        assertEquals(List.of("SUCCEEDED"), analysis.getList("attempts.outcome"));
        assertEquals(2, analysis.getInt("attempts[0].calls"));
        assertEquals(220, analysis.getLong("attempts[0].input_tokens"));
        assertEquals(45, analysis.getLong("attempts[0].output_tokens"));
        assertEquals(Map.of("project_name", "Analysis", "confidence", 0.9f), analysis.getMap("output"));
        assertEquals(3, done.getLong("usage.calls"), "two calls for Analysis, one for Selection");

        List<LoggedRequest> calls = FakeOpenAi.requests(model).stream()
                .filter(r -> r.getBodyAsString().contains("Project Analysis")).toList();
        assertEquals(2, calls.size());
        JsonPath repair = messages(calls.get(1));
        assertEquals(List.of("system", "user", "assistant", "user"), repair.getList("messages.role"));
        assertEquals("Here is the analysis:\n{\"project_name\":\"Analysis\"}", repair.getString("messages[2].content"));
        assertTrue(repair.getString("messages[3].content").contains("$.confidence: required property missing"),
                repair.getString("messages[3].content"));
        JsonPath first = messages(calls.get(0));
        assertEquals("json_schema", first.getString("response_format.type"));
        assertEquals(List.of("project_name", "confidence"), first.getList("response_format.json_schema.schema.required"));
        assertTrue(first.getString("messages[0].content").contains("It must be valid against this JSON Schema"),
                first.getString("messages[0].content"));

        String selection = messages(FakeOpenAi.requests(model).stream()
                .filter(r -> r.getBodyAsString().contains("Project Selection")).findFirst().orElseThrow())
                .getString("messages[1].content");
        assertTrue(selection.contains("\"confidence\" : 0.9"), "downstream saw the valid object: " + selection);
        assertFalse(selection.contains("Here is the analysis"), selection);
    }

    @Test
    void anAlwaysInvalidAnswerFailsEachAttemptNamingTheFieldAndNothingDownstreamRuns() {
        String model = "m-odras-invalid";
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "{\"project_name\":\"Analysis\"}", 10, 5)));
        String run = Api.submit(structured(model, Map.of("repair_attempts", 1)).option("max_attempts", 2));
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("FAILED", done.getString("state"), done.prettify());
        assertEquals("BLOCKED", Api.taskState(done, "Selection"));

        JsonPath analysis = Api.task(run, "Analysis");
        assertEquals(List.of("FAILED", "FAILED"), analysis.getList("attempts.outcome"), "max_attempts 2, both spent");
        for (int i = 0; i < 2; i++) {
            String error = analysis.getString("attempts[" + i + "].error");
            assertTrue(error.contains("$.confidence: required property missing") && error.contains("after 1 repair call"),
                    error);
            assertEquals(2, analysis.getInt("attempts[" + i + "].calls"));
            assertEquals(20, analysis.getLong("attempts[" + i + "].input_tokens"));
        }
        assertNull(analysis.get("output"), "an invalid object is never stored");
        assertEquals(4, done.getLong("usage.calls"));
        assertEquals(4, FakeOpenAi.requests(model).size(), "Selection never called the model");
        assertEquals("BLOCKED", Api.task(run, "Selection").getString("state"));
        assertEquals(List.of(), Api.task(run, "Selection").getList("attempts"), "no downstream attempt ever started");
    }

    @Test
    void aBrokenSchemaIs400NamingTheField() {
        Map<String, Object> broken = Map.of("type", "objekt", "required", "confidence");
        Map<String, Object> llm = new LinkedHashMap<>();
        llm.put("model", "m-odras-broken");
        llm.put("output_schema", broken);
        Lattice run = Lattice.create().option("processor", "llm").option("llm", llm).project("A", 0);
        given().contentType(ContentType.JSON).body(run.body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("llm.output_schema"))
                .body("detail", containsString("is not a valid JSON Schema (draft 2020-12)"));
        Lattice project = Lattice.create().option("processor", "llm").option("llm", Map.of("model", "m-odras-broken"))
                .project("A", 0).field("A", "output_schema", "confidence");
        given().contentType(ContentType.JSON).body(project.body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("lattice.projects[0].output_schema"));
        assertEquals(0, FakeOpenAi.requests("m-odras-broken").size());
    }

    @Test
    void aProjectsOwnModelIsCalledAndKeysItsLimitAndItsCache() throws SQLException {
        String small = "m-odras-small";
        String strong = "m-odras-strong";
        String stronger = "m-odras-stronger";
        for (String model : List.of(small, strong, stronger)) {
            FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, "answer of " + model, 10, 5)));
        }
        Lattice lattice = Lattice.create().requirements("The UAV shall fly. [" + UUID.randomUUID() + "]")
                .option("processor", "llm").option("llm", Map.of("model", small, "temperature", 0.2))
                .project("Decompose A", 1).project("Decompose B", 1)
                .project("Selection", 3, "Decompose A").flow("Decompose B", "Selection", "needs")
                .field("Selection", "llm", Map.of("model", strong, "max_tokens", 900));
        String first = Api.submit(lattice);
        assertEquals("SUCCEEDED", Api.awaitRunEnd(first, LIMIT).getString("state"));
        assertEquals(2, FakeOpenAi.requests(small).size());
        List<LoggedRequest> strongCalls = FakeOpenAi.requests(strong);
        assertEquals(1, strongCalls.size());
        assertTrue(strongCalls.get(0).getBodyAsString().contains("Name: Selection"));
        assertEquals(900, messages(strongCalls.get(0)).getInt("max_tokens"), "the project's own max_tokens");
        assertEquals(0.2f, messages(strongCalls.get(0)).getFloat("temperature"), "the run's temperature still applies");
        assertEquals(strong, Api.task(first, "Selection").getString("attempts[0].model"));
        assertEquals(small, Api.task(first, "Decompose A").getString("attempts[0].model"));
        assertEquals(Map.of("Decompose A", "llm|" + baseUrl() + "|" + small, "Decompose B", "llm|" + baseUrl() + "|" + small,
                "Selection", "llm|" + baseUrl() + "|" + strong), limitKeys(first), "the 429 hold and the cap follow the model");

        String again = Api.submit(lattice);
        assertEquals(3, Api.awaitRunEnd(again, LIMIT).getLong("usage.cached"), "unchanged: all from the cache");

        String switched = Api.submit(lattice.field("Selection", "llm", Map.of("model", stronger, "max_tokens", 900)));
        JsonPath done = Api.awaitRunEnd(switched, LIMIT);
        assertEquals(2, done.getLong("usage.cached"));
        assertEquals(List.of(false), Api.task(switched, "Selection").getList("attempts.cached"),
                "another model is another cache key");
        assertEquals(1, FakeOpenAi.requests(stronger).size());
        assertEquals(1, FakeOpenAi.requests(strong).size());
    }

    @Test
    void aProjectsLlmObjectIsTypeChecked() {
        Lattice lattice = Lattice.create().option("processor", "llm").option("llm", Map.of("model", "m-odras-typed"))
                .project("A", 0).field("A", "llm", Map.of("model", "", "structured", "json_schema"));
        given().contentType(ContentType.JSON).body(lattice.body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("lattice.projects[0].llm.model"))
                .body("errors.field", hasItem("lattice.projects[0].llm.structured"));
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + FakeOpenAi.server.port() + "/v1/";
    }

    private Map<String, String> limitKeys(String run) throws SQLException {
        Map<String, String> keys = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT name, limit_key FROM task WHERE run_id = ?")) {
            ps.setObject(1, UUID.fromString(run));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return keys;
    }

    /** The shipped example reproduces ODRAS's processing: its prompts, context, terminal instruction and result schema. */
    @Test
    void theShippedOdrasExampleRunsWithTheLlmProcessor() throws Exception {
        String model = "m-odras-example";
        String result = "{\"project_name\":\"P\",\"analysis_type\":\"analysis\",\"llm_reasoning\":[\"r\"],"
                + "\"extracted_data\":{\"key_findings\":[\"k\"],\"specific_metrics\":{\"endurance_h\":12},"
                + "\"recommendations\":[\"Fixed-wing VTOL\"]},\"confidence\":0.8,\"confidence_reasoning\":\"c\","
                + "\"processing_time\":\"1.2s\",\"ready_for_downstream\":true,\"next_actions\":[]}";
        FakeOpenAi.server.stubFor(call(model).willReturn(completion(model, result, 10, 5)));
        Map<String, Object> body = JSON.readValue(Files.readString(Path.of("examples/odras-material-selection.json")),
                new TypeReference<>() { });
        body.put("processor", "llm");
        body.put("requirements", body.get("requirements") + " [" + UUID.randomUUID() + "]");
        @SuppressWarnings("unchecked")
        Map<String, Object> llm = (Map<String, Object>) body.get("llm");
        llm.put("model", model);
        String run = given().contentType(ContentType.JSON).body(body).when().post("/api/runs")
                .then().statusCode(201).extract().path("id");
        JsonPath done = Api.awaitRunEnd(run, LIMIT);
        assertEquals("SUCCEEDED", done.getString("state"), done.prettify());
        assertEquals(7, FakeOpenAi.requests(model).size());
        assertEquals(0.8f, Api.task(run, "Material Solution Selection").getFloat("output.confidence"));

        JsonPath selection = messages(FakeOpenAi.requests(model).stream()
                .filter(r -> r.getBodyAsString().contains("PROJECT: Material Solution Selection")).findFirst().orElseThrow());
        String user = selection.getString("messages[1].content");
        assertTrue(selection.getString("messages[0].content").startsWith("You are an expert in systems engineering"
                + " performing evaluation work"), selection.getString("messages[0].content"));
        assertTrue(user.contains("You MUST make a selection"), user);
        assertTrue(user.contains("- Tethered aerostat: Helium aerostat"), user);
        assertTrue(user.contains("\"candidate evaluation\" : [ {"), "both evaluations under one data_type: " + user);
        assertEquals(3000, selection.getInt("max_tokens"), "the L3 project's own llm settings");
        String airVehicle = FakeOpenAi.requests(model).stream().map(r -> r.getBodyAsString())
                .filter(b -> b.contains("PROJECT: Air Vehicle Concepts")).findFirst().orElseThrow();
        assertTrue(airVehicle.contains("Downstream projects will use your results"), airVehicle);
    }

    @Test
    void aTemplateNamingAnUnknownVariableIs400NamingTheTemplate() {
        Lattice lattice = odras("m-odras-bad-template", "r")
                .option("prompts", Map.of("user", "{{project.name}} {{project.purpose}}"));
        given().contentType(ContentType.JSON).body(lattice.body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("prompts.user"))
                .body("detail", containsString("unknown variable 'project.purpose' on line 1 (for project 'Ontology')"));
        given().contentType(ContentType.JSON).body(odras("m-odras-bad-template", "r")
                        .option("prompts", Map.of("system", "{{#is_terminal}}unclosed")).body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("prompts.system"))
                .body("detail", containsString("does not parse"));
    }
}
