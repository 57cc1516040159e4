package com.latticeengine.store;

import java.util.List;

/** Where a run's webhooks go and which events it wants; validated before it gets here. */
public record Callback(String url, List<WebhookEvent> events) {
    public Callback {
        events = List.copyOf(events);
    }

    public List<String> eventNames() {
        return events.stream().map(WebhookEvent::wireName).toList();
    }
}
