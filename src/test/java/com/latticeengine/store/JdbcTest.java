package com.latticeengine.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdbcTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void resultsCarryOutputAttemptAndAnyUsageAsValidJson() throws Exception {
        AttemptUsage usage = new AttemptUsage("acme \"fast\" \\ model", 120L, 30L, 850L, 1.8e-7, false, 2);
        String json = Jdbc.resultsById(List.of(
                new TaskStore.Success(42, 2, "{\"summary\":\"ok\"}", usage, null),
                new TaskStore.Success(43, 1, "{\"summary\":\"plain\"}"),
                new TaskStore.Success(44, 1, "{\"summary\":\"reused\"}", AttemptUsage.CACHED, "key"),
                new TaskStore.Success(45, 1, "{}", AttemptUsage.NONE, null, "review.when is true: output.a == \"x\\\"\n")));

        JsonNode results = mapper.readTree(json);
        JsonNode called = results.get("42");
        assertEquals(2, called.get("attempt").asInt());
        assertEquals("ok", called.at("/output/summary").asText());
        assertEquals("acme \"fast\" \\ model", called.at("/usage/model").asText());
        assertEquals(120, called.at("/usage/input_tokens").asLong());
        assertEquals(30, called.at("/usage/output_tokens").asLong());
        assertEquals(850, called.at("/usage/latency_ms").asLong());
        assertEquals(2, called.at("/usage/calls").asInt());
        assertEquals(0, new BigDecimal("0.00000018").compareTo(called.at("/usage/cost_usd").decimalValue()),
                "cost " + called.at("/usage/cost_usd"));
        assertFalse(called.at("/usage/cached").asBoolean());
        assertTrue(results.get("43").path("usage").isMissingNode(), "no usage without a model call");
        assertTrue(results.get("44").at("/usage/cached").asBoolean());
        assertTrue(results.get("44").path("review").isMissingNode(), "no review without a gate tripped");
        assertEquals("review.when is true: output.a == \"x\\\"\n", results.get("45").get("review").asText());
    }
}
