package com.latticeengine.processing.llm;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.latticeengine.support.Api;
import com.latticeengine.support.FakeOpenAi;
import com.latticeengine.support.Lattice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ODRAS-grade processing against the fake OpenAI server: run prompts and context, upstream_data,
 * is_terminal. Each test uses its own model name, so stubs and request logs never mix.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeOpenAi.class, restrictToAnnotatedClass = true)
class LlmOdrasProcessingTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

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
