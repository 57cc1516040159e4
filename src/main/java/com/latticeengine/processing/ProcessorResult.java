package com.latticeengine.processing;

import com.fasterxml.jackson.databind.JsonNode;

/** An output and, for processors that call a paid model, what the call used (else null). */
public record ProcessorResult(JsonNode output, Usage usage) {

    public static ProcessorResult of(JsonNode output) {
        return new ProcessorResult(output, null);
    }
}
