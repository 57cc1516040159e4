package com.latticeengine.processing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.config.LatticeConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A stand-in for the LLM: a deterministic output built from the project and exactly the inputs
 * it received, so tests can check what each task saw. A project's optional {@code simulate}
 * object shapes the behaviour: {@code latency_ms}, {@code fail_attempts} (the first N attempts
 * fail retryably), {@code fail} (every attempt fails retryably), {@code fail_permanently},
 * {@code hang_attempts} (the first N attempts never finish, to exercise timeouts), and {@code output}
 * (fields added to the output, e.g. a {@code confidence} for a review gate). After a reviewer's
 * reject the output also carries the {@code review_comment} the attempt was given.
 */
@ApplicationScoped
public class SimulatedProcessor implements Processor {

    public static final String NAME = "simulated";

    private final ObjectMapper mapper;
    private final long defaultLatencyMs;

    public SimulatedProcessor(ObjectMapper mapper, LatticeConfig config) {
        this.mapper = mapper;
        this.defaultLatencyMs = config.simulated().latency().toMillis();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProcessorResult process(TaskContext context) throws ProcessingException, InterruptedException {
        Map<?, ?> simulate = context.project().get("simulate") instanceof Map<?, ?> m ? m : Map.of();
        int attempt = context.attempt();
        if (attempt <= intOf(simulate, "hang_attempts", 0)) {
            Thread.sleep(Long.MAX_VALUE);
        }
        long latency = intOf(simulate, "latency_ms", defaultLatencyMs);
        if (latency > 0) {
            Thread.sleep(latency);
        }
        if (Boolean.TRUE.equals(simulate.get("fail_permanently"))) {
            throw ProcessingException.permanent("simulated permanent failure of " + context.projectName());
        }
        if (Boolean.TRUE.equals(simulate.get("fail")) || attempt <= intOf(simulate, "fail_attempts", 0)) {
            throw ProcessingException.retryable(
                    "simulated failure of " + context.projectName() + " on attempt " + attempt);
        }
        return ProcessorResult.of(outputFor(context));
    }

    private JsonNode outputFor(TaskContext context) {
        ObjectNode out = mapper.createObjectNode();
        out.put("project", context.projectName());
        out.putPOJO("layer", context.project().get("layer"));
        out.put("processor", NAME);
        out.put("requirements_sha256", sha256(context.requirements()));
        ArrayNode inputs = out.putArray("inputs");
        for (TaskInput input : context.inputs()) {
            ObjectNode seen = inputs.addObject();
            seen.put("from_project", input.fromProject());
            seen.put("relation", input.relation());
            seen.put("data_type", input.dataType());
            if (input.missing()) {
                seen.put("missing", input.missingError());
            } else {
                seen.set("saw_project", input.output().get("project"));
                seen.put("output_sha256", sha256(input.output().toString()));
            }
        }
        out.put("summary", "Simulated analysis of " + context.projectName() + " from "
                + context.inputs().size() + " input(s)");
        if (context.reviewComment() != null) {
            out.put("review_comment", context.reviewComment());
        }
        Map<?, ?> simulate = context.project().get("simulate") instanceof Map<?, ?> m ? m : Map.of();
        if (simulate.get("output") instanceof Map<?, ?> extra) {
            extra.forEach((key, value) -> out.set(String.valueOf(key), mapper.valueToTree(value)));
        }
        return out;
    }

    private static long intOf(Map<?, ?> simulate, String key, long fallback) {
        return simulate.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
