package com.latticeengine.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.Violation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReviewGateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ODRAS = "output.confidence < 0.7 || output.ready_for_downstream == false";

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static ReviewGate gate(Map<String, Object> review, List<Violation> errors) {
        return ReviewGate.parse(review, "review", errors).orElse(null);
    }

    @Test
    void theOdrasExampleTripsOnLowConfidenceOrNotReady() throws Exception {
        ReviewGate gate = ReviewGate.compile(ODRAS);
        assertTrue(gate.check(json("{\"confidence\": 0.5, \"ready_for_downstream\": true}")).isPresent());
        assertTrue(gate.check(json("{\"confidence\": 0.9, \"ready_for_downstream\": false}")).isPresent());
        assertEquals(Optional.empty(), gate.check(json("{\"confidence\": 0.9, \"ready_for_downstream\": true}")));
        // JSON's 1 is an int to CEL: it still compares with a double.
        assertEquals(Optional.empty(), gate.check(json("{\"confidence\": 1, \"ready_for_downstream\": true}")));
    }

    @Test
    void anEvaluationErrorTripsTheGateAndSaysWhy() throws Exception {
        Optional<String> reason = ReviewGate.compile(ODRAS).check(json("{\"summary\": \"no confidence here\"}"));
        assertTrue(reason.orElseThrow().startsWith("review.when could not be evaluated"), reason.toString());
        assertTrue(ReviewGate.compile("output.confidence < 0.7").check(json("{\"confidence\": \"high\"}")).isPresent());
    }

    @Test
    void nestedFieldsListsAndMacrosWork() throws Exception {
        ReviewGate gate = ReviewGate.compile("has(output.extracted_data) && size(output.extracted_data.key_findings) == 0"
                + " || output.next_actions.exists(a, a == 'escalate')");
        assertTrue(gate.check(json("{\"extracted_data\": {\"key_findings\": []}, \"next_actions\": []}")).isPresent());
        assertTrue(gate.check(json("{\"extracted_data\": {\"key_findings\": [1]}, \"next_actions\": [\"escalate\"]}"))
                .isPresent());
        assertEquals(Optional.empty(),
                gate.check(json("{\"extracted_data\": {\"key_findings\": [1]}, \"next_actions\": [\"ship\"]}")));
    }

    @Test
    void alwaysTripsEveryOutputAndAlwaysFalseIsNoGate() throws Exception {
        List<Violation> errors = new ArrayList<>();
        assertTrue(gate(Map.of("always", true), errors).check(json("{}")).isPresent());
        assertEquals(null, gate(Map.of("always", false), errors));
        assertEquals(List.of(), errors);
    }

    @Test
    void badGatesNameTheFieldAndTheReason() {
        List<Violation> errors = new ArrayList<>();
        gate(Map.of("when", "output.confidence <"), errors);
        gate(Map.of("when", "output.confidence + 1"), errors);
        gate(Map.of("when", "confidence < 0.7"), errors);
        gate(Map.of("when", 3), errors);
        gate(Map.of("when", "true", "always", true), errors);
        gate(Map.of("always", "yes"), errors);
        gate(Map.of("when", "true", "if", "x"), errors);
        ReviewGate.parse("always", "lattice.projects[3].review", errors);
        List<String> fields = errors.stream().map(Violation::field).toList();
        assertEquals(List.of("review.when", "review.when", "review.when", "review.when", "review", "review.always",
                "review.if", "lattice.projects[3].review"), fields, errors.toString());
        assertTrue(errors.get(0).reason().startsWith("is not a valid CEL expression"), errors.get(0).reason());
        assertTrue(errors.get(2).reason().contains("confidence"), errors.get(2).reason());
    }
}
