package com.latticeengine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.lattice.Violation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lattice.limits.* checks on a parsed submission, before anything else looks at it: sizes,
 * counts, nesting depth, and characters that have no business in a name (control and bidi
 * characters, which can make one name display as another) or anywhere at all (U+0000, which
 * PostgreSQL refuses in text and jsonb). Each violation names the field and the limit.
 */
@Singleton
public class SubmissionLimits {

    /** Enough to point at the problem; a hostile body could otherwise make the answer huge. */
    static final int MAX_REPORTED = 20;

    private static final Set<String> PROJECT_NAMES = Set.of("name", "parent_name");
    private static final Set<String> FLOW_NAMES = Set.of("from_project", "to_project", "data_type");

    private final long maxBodyBytes;
    private final int maxProjects;
    private final int maxDataFlows;
    private final int maxNameLength;
    private final int maxRequirementsChars;
    private final int maxContextChars;
    private final int maxJsonDepth;

    @Inject
    public SubmissionLimits(LatticeConfig config) {
        this(config.limits().maxBodyBytes(), config.limits().maxProjects(), config.limits().maxDataFlows(),
                config.limits().maxNameLength(), config.limits().maxRequirementsChars(),
                config.limits().maxContextChars(), config.limits().maxJsonDepth());
    }

    SubmissionLimits(long maxBodyBytes, int maxProjects, int maxDataFlows, int maxNameLength,
                     int maxRequirementsChars, int maxContextChars, int maxJsonDepth) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxProjects = maxProjects;
        this.maxDataFlows = maxDataFlows;
        this.maxNameLength = maxNameLength;
        this.maxRequirementsChars = maxRequirementsChars;
        this.maxContextChars = maxContextChars;
        this.maxJsonDepth = maxJsonDepth;
    }

    /** No limits beyond the characters no string may hold: for code that parses trusted input. */
    public static SubmissionLimits none() {
        return new SubmissionLimits(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Throws with every violation found (up to {@link #MAX_REPORTED}); returns when there is none. */
    public void check(JsonNode root) {
        List<Violation> errors = new ArrayList<>();
        if (depth(root) > maxJsonDepth) {
            throw new InvalidSubmissionException(List.of(new Violation("body",
                    "JSON nesting is deeper than lattice.limits.max-json-depth (" + maxJsonDepth + ")")));
        }
        noNul(root, "", errors);
        JsonNode requirements = root.get("requirements");
        if (requirements != null && requirements.isTextual() && requirements.textValue().length() > maxRequirementsChars) {
            errors.add(new Violation("requirements", "is " + requirements.textValue().length()
                    + " characters; lattice.limits.max-requirements-chars is " + maxRequirementsChars));
        }
        JsonNode context = root.get("context");
        if (context != null && !context.isNull()) {
            int length = context.isTextual() ? context.textValue().length() : context.toString().length();
            if (length > maxContextChars) {
                errors.add(new Violation("context", "is " + length + " characters as JSON; "
                        + "lattice.limits.max-context-chars is " + maxContextChars));
            }
        }
        JsonNode lattice = root.get("lattice");
        if (lattice != null && lattice.isObject()) {
            items(lattice.get("projects"), "lattice.projects", "projects", maxProjects, PROJECT_NAMES, errors);
            items(lattice.get("data_flows"), "lattice.data_flows", "data flows", maxDataFlows, FLOW_NAMES, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidSubmissionException(errors.size() > MAX_REPORTED ? errors.subList(0, MAX_REPORTED) : errors);
        }
    }

    private void items(JsonNode array, String path, String what, int max, Set<String> nameFields,
                       List<Violation> errors) {
        if (array == null || !array.isArray()) {
            return;
        }
        if (array.size() > max) {
            errors.add(new Violation(path, "has " + array.size() + " " + what + "; lattice.limits.max-"
                    + what.replace(' ', '-') + " is " + max));
            return;
        }
        for (int i = 0; i < array.size() && errors.size() <= MAX_REPORTED; i++) {
            JsonNode item = array.get(i);
            for (String field : nameFields) {
                JsonNode value = item.get(field);
                if (value != null && value.isTextual()) {
                    name(value.textValue(), path + "[" + i + "]." + field, errors);
                }
            }
        }
    }

    private void name(String name, String path, List<Violation> errors) {
        if (name.length() > maxNameLength) {
            errors.add(new Violation(path, "is " + name.length() + " characters; lattice.limits.max-name-length is "
                    + maxNameLength));
            return;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                return; // reported by noNul
            }
            if (c <= 0x1F || c == 0x7F) {
                errors.add(new Violation(path, "contains the control character " + codePoint(c) + " at " + i
                        + "; names may not contain control characters"));
                return;
            }
            if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                errors.add(new Violation(path, "contains the bidirectional control " + codePoint(c) + " at " + i
                        + "; names may not contain bidi controls (they make one name display as another)"));
                return;
            }
        }
    }

    /** U+0000 in any string or key anywhere in the document. */
    private static void noNul(JsonNode root, String rootPath, List<Violation> errors) {
        Deque<Map.Entry<String, JsonNode>> pending = new ArrayDeque<>();
        pending.push(Map.entry(rootPath, root));
        while (!pending.isEmpty() && errors.size() <= MAX_REPORTED) {
            Map.Entry<String, JsonNode> next = pending.pop();
            String path = next.getKey();
            JsonNode node = next.getValue();
            if (node.isTextual() && node.textValue().indexOf('\0') >= 0) {
                errors.add(new Violation(path.isEmpty() ? "body" : path, "contains U+0000 (NUL), which no string may hold"));
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                    if (field.getKey().indexOf('\0') >= 0) {
                        errors.add(new Violation(child.replace("\0", "\\u0000"),
                                "the key contains U+0000 (NUL), which no string may hold"));
                    } else {
                        pending.push(Map.entry(child, field.getValue()));
                    }
                }
            } else if (node.isArray()) {
                for (int i = node.size() - 1; i >= 0; i--) {
                    pending.push(Map.entry(path + "[" + i + "]", node.get(i)));
                }
            }
        }
    }

    /** Nesting depth without recursion: a scalar is 0, {} or [] is 1. */
    private static int depth(JsonNode root) {
        int deepest = 0;
        Deque<Map.Entry<JsonNode, Integer>> pending = new ArrayDeque<>();
        pending.push(Map.entry(root, 1));
        while (!pending.isEmpty()) {
            Map.Entry<JsonNode, Integer> next = pending.pop();
            if (next.getKey().isContainerNode()) {
                deepest = Math.max(deepest, next.getValue());
                for (JsonNode child : next.getKey()) {
                    pending.push(Map.entry(child, next.getValue() + 1));
                }
            }
        }
        return deepest;
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
