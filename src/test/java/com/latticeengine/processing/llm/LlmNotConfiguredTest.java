package com.latticeengine.processing.llm;

import com.latticeengine.support.Lattice;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The default test configuration has no LLM endpoint: llm submissions are refused up front. */
@QuarkusTest
class LlmNotConfiguredTest {

    @Test
    void anLlmSubmissionIsRejectedNamingTheProcessorAndTheProperty() {
        given().contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1).option("processor", "llm").body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("status", equalTo(400))
                .body("errors[0].field", equalTo("processor"))
                .body("errors[0].reason", containsString("quarkus.langchain4j.openai.api-key"));
    }

    @Test
    void badLlmOptionsAreRejectedWithTheirPaths() {
        given().contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1).option("processor", "llm")
                        .option("llm", Map.of("temperature", "hot", "max_tokens", 0)).body())
                .when().post("/api/runs")
                .then().statusCode(400)
                .body("errors.field", hasItem("llm.temperature"))
                .body("errors.field", hasItem("llm.max_tokens"));
    }
}
