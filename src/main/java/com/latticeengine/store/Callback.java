package com.latticeengine.store;

import java.util.List;

/**
 * Where a run's webhooks go, which events it wants and, when the callback brought one, the secret
 * that signs them instead of lattice.webhooks.secret ({@code secret} null); validated before it
 * gets here. The secret is left out of {@link #toString}.
 */
public record Callback(String url, List<WebhookEvent> events, String secret) {
    public Callback {
        events = List.copyOf(events);
    }

    public List<String> eventNames() {
        return events.stream().map(WebhookEvent::wireName).toList();
    }

    @Override
    public String toString() {
        return "Callback[url=" + url + ", events=" + eventNames() + ", own secret=" + (secret != null) + "]";
    }
}
