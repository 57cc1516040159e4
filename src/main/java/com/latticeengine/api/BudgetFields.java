package com.latticeengine.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.latticeengine.lattice.Violation;
import com.latticeengine.store.Budget;
import com.latticeengine.store.BudgetChange;

import java.math.BigDecimal;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code budget} object of a submission and of a PATCH: {@code max_tokens} (an integer >= 1)
 * and {@code max_cost_usd} (a number > 0), each problem named by its JSON path.
 */
final class BudgetFields {

    static final String FIELD = "budget";
    private static final String MAX_TOKENS = "max_tokens";
    private static final String MAX_COST_USD = "max_cost_usd";
    private static final Set<String> KNOWN = Set.of(MAX_TOKENS, MAX_COST_USD);
    /** Reads trees only, so the application's naming settings do not matter. */
    private static final ObjectReader TREES = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private BudgetFields() {
    }

    /** The body of PATCH /api/runs/{id}: {"budget": {...}}, nothing else; a 400 names each problem. */
    static BudgetChange patch(byte[] body) {
        JsonNode root;
        try {
            root = TREES.readValue(body == null ? new byte[0] : body);
        } catch (JsonProcessingException e) {
            throw invalid(List.of(new Violation("body", "malformed JSON: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw invalid(List.of(new Violation("body", "malformed JSON: " + e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw invalid(List.of(new Violation("body", "must be a JSON object")));
        }
        List<Violation> errors = new ArrayList<>();
        root.fieldNames().forEachRemaining(f -> {
            if (!f.equals(FIELD)) {
                errors.add(new Violation(f, "unknown field; a run's PATCH changes only " + FIELD));
            }
        });
        BudgetChange change = change(root.get(FIELD), errors);
        if (change == null && errors.isEmpty()) {
            errors.add(new Violation(FIELD, "is required"));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return change;
    }

    private static ProblemException invalid(List<Violation> errors) {
        return new ProblemException(400, "Invalid request", String.join("; ",
                errors.stream().map(v -> v.field() + ": " + v.reason()).toList()), errors);
    }

    /** A submission's budget: either cap or both; null when {@code node} is absent. */
    static Budget budget(JsonNode node, List<Violation> errors) {
        BudgetChange caps = change(node, errors);
        if (caps == null) {
            return null;
        }
        if (caps.maxTokens() == null && caps.maxCostUsd() == null) {
            errors.add(new Violation(FIELD, "must set " + MAX_TOKENS + ", " + MAX_COST_USD + " or both"));
            return null;
        }
        return new Budget(caps.maxTokens(), caps.maxCostUsd());
    }

    /** A PATCH: the caps it names (null removes one), the others kept; null when {@code node} is absent. */
    static BudgetChange change(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new Violation(FIELD, "must be an object"));
            return null;
        }
        int before = errors.size();
        node.fieldNames().forEachRemaining(f -> {
            if (!KNOWN.contains(f)) {
                errors.add(new Violation(FIELD + "." + f, "unknown field; known: " + MAX_COST_USD + ", " + MAX_TOKENS));
            }
        });
        Long maxTokens = maxTokens(node.get(MAX_TOKENS), errors);
        BigDecimal maxCost = maxCost(node.get(MAX_COST_USD), errors);
        return errors.size() > before ? null
                : new BudgetChange(node.has(MAX_TOKENS), maxTokens, node.has(MAX_COST_USD), maxCost);
    }

    private static Long maxTokens(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || node.bigIntegerValue().signum() <= 0
                || node.bigIntegerValue().compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            errors.add(new Violation(FIELD + "." + MAX_TOKENS, "must be an integer between 1 and " + Long.MAX_VALUE));
            return null;
        }
        return node.longValue();
    }

    private static BigDecimal maxCost(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || !(node.isIntegralNumber() || Double.isFinite(node.doubleValue()))
                || node.decimalValue().signum() <= 0) {
            errors.add(new Violation(FIELD + "." + MAX_COST_USD, "must be a number of USD greater than 0"));
            return null;
        }
        return node.decimalValue();
    }
}
