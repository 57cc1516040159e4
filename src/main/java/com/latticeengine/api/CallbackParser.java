package com.latticeengine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.config.LatticeConfigCheck;
import com.latticeengine.lattice.Violation;
import com.latticeengine.store.Callback;
import com.latticeengine.store.WebhookEvent;
import com.latticeengine.webhooks.AddressGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A submission's {@code callback: {url, events, secret}}: an http(s) URL the address guard accepts,
 * known event names (run.finished when none are given) and optionally the callback's own signing
 * secret. Refused outright on a server that has no webhook secret: webhooks are off there.
 */
@Singleton
public final class CallbackParser {

    static final List<WebhookEvent> DEFAULT_EVENTS = List.of(WebhookEvent.RUN_FINISHED);
    private static final Set<String> FIELDS = Set.of("url", "events", "secret");
    /** A callback's own secret has the server secret's minimum length; the maximum bounds the row. */
    private static final int MAX_SECRET_LENGTH = 256;

    private final AddressGuard guard;
    private final boolean enabled;

    @Inject
    public CallbackParser(LatticeConfig config) {
        this(new AddressGuard(config.webhooks().allowPrivate()), config.webhooks().secret().isPresent());
    }

    public CallbackParser(AddressGuard guard, boolean enabled) {
        this.guard = guard;
        this.enabled = enabled;
    }

    /** Null when the submission has no callback; violations are added to {@code errors}. */
    Callback parse(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new Violation("callback", "must be an object {url, events, secret}"));
            return null;
        }
        if (!enabled) {
            errors.add(new Violation("callback", "this server sends no webhooks (lattice.webhooks.secret is not set)"));
            return null;
        }
        int before = errors.size();
        node.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new Violation("callback." + f, "unknown field; known: url, events, secret"));
            }
        });
        String url = url(node.get("url"), errors);
        List<WebhookEvent> events = events(node.get("events"), errors);
        String secret = secret(node.get("secret"), errors);
        return errors.size() == before ? new Callback(url, events, secret) : null;
    }

    /** The reason never quotes the value: a secret must not come back, not even in an error. */
    private static String secret(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.textValue().length() < LatticeConfigCheck.MIN_SECRET_LENGTH
                || node.textValue().length() > MAX_SECRET_LENGTH || node.textValue().isBlank()) {
            errors.add(new Violation("callback.secret", "must be a string of " + LatticeConfigCheck.MIN_SECRET_LENGTH + " to "
                    + MAX_SECRET_LENGTH + " characters"));
            return null;
        }
        return node.textValue();
    }

    private String url(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull()) {
            errors.add(new Violation("callback.url", "is required"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new Violation("callback.url", "must be a string"));
            return null;
        }
        try {
            guard.checkAtSubmission(node.textValue());
            return node.textValue();
        } catch (AddressGuard.RefusedException e) {
            errors.add(new Violation("callback.url", e.getMessage()));
            return null;
        }
    }

    private static List<WebhookEvent> events(JsonNode node, List<Violation> errors) {
        if (node == null || node.isNull()) {
            return DEFAULT_EVENTS;
        }
        if (!node.isArray() || node.isEmpty()) {
            errors.add(new Violation("callback.events", "must be a non-empty array of event names; known: "
                    + String.join(", ", WebhookEvent.wireNames())));
            return null;
        }
        Set<WebhookEvent> events = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode name = node.get(i);
            String path = "callback.events[" + i + "]";
            Optional<WebhookEvent> event = name.isTextual() ? WebhookEvent.fromWire(name.textValue()) : Optional.empty();
            if (event.isEmpty()) {
                errors.add(new Violation(path, (name.isTextual() ? "unknown event '" + name.textValue() + "'"
                        : "must be a string") + "; known: " + String.join(", ", WebhookEvent.wireNames())));
            } else if (!events.add(event.get())) {
                errors.add(new Violation(path, "repeats '" + name.textValue() + "'"));
            }
        }
        return new ArrayList<>(events);
    }
}
