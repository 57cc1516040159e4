package com.latticeengine.processing.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Finds the one JSON object in a model's answer. Models wrap JSON in a Markdown code fence or in
 * a sentence despite the instructions; like ODRAS (first '{' to last '}') the object may have
 * text around it, but there must be exactly one: "{...} or {...}" does not parse and fails.
 */
final class JsonAnswers {

    /** The object, or the reason there is none (for the task's error and the repair prompt). */
    record Parsed(JsonNode object, String problem) {
    }

    private JsonAnswers() {
    }

    static Parsed parse(ObjectMapper mapper, String text) {
        String candidate = stripFences(text.strip());
        int open = candidate.indexOf('{');
        int close = candidate.lastIndexOf('}');
        if (open < 0 || close < open) {
            return new Parsed(null, "the answer holds no JSON object");
        }
        try {
            JsonNode parsed = mapper.readTree(candidate.substring(open, close + 1));
            return parsed != null && parsed.isObject() ? new Parsed(parsed, null)
                    : new Parsed(null, "the answer holds no JSON object");
        } catch (JsonProcessingException e) {
            return new Parsed(null, "the answer is not exactly one valid JSON object: " + e.getOriginalMessage());
        }
    }

    static String stripFences(String text) {
        if (text.startsWith("```") && text.endsWith("```") && text.length() >= 6) {
            String inner = text.substring(3, text.length() - 3);
            int newline = inner.indexOf('\n');
            return newline < 0 ? inner : inner.substring(newline + 1);
        }
        return text;
    }
}
