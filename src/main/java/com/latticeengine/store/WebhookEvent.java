package com.latticeengine.store;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The events a run's callback may subscribe to, by the names the triggers of V17 write. */
public enum WebhookEvent {
    RUN_FINISHED("run.finished"), RUN_PAUSED("run.paused"), TASK_AWAITING_REVIEW("task.awaiting_review");

    private final String wireName;

    WebhookEvent(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<WebhookEvent> fromWire(String name) {
        return Arrays.stream(values()).filter(e -> e.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(WebhookEvent::wireName).toList();
    }
}
