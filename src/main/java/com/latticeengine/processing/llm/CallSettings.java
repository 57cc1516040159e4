package com.latticeengine.processing.llm;

import java.time.Duration;

/**
 * Everything that shapes one model call: the configured defaults with the run's {@code llm}
 * overrides applied. {@code json} asks the model for a JSON object (response_format json_object).
 */
public record CallSettings(String model, Double temperature, Integer maxTokens, Duration timeout, boolean json) {

    public CallSettings withJson(boolean json) {
        return new CallSettings(model, temperature, maxTokens, timeout, json);
    }

    public CallSettings withMaxTokens(Integer maxTokens) {
        return new CallSettings(model, temperature, maxTokens, timeout, json);
    }
}
