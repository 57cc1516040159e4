package com.latticeengine.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.latticeengine.store.DeliveryStore;
import com.latticeengine.store.RunRecord;
import com.latticeengine.store.RunTotals;
import com.latticeengine.store.TaskState;

import java.util.Locale;
import java.util.Map;

/**
 * The JSON a receiver gets. Keys are written here one by one (not by the API's naming strategy)
 * so the wire format cannot change by accident; counts and usage have the run view's shape and
 * are as of the delivery's first attempt.
 */
final class WebhookBody {

    private WebhookBody() {
    }

    static String of(ObjectMapper mapper, DeliveryStore.Claimed d, RunTotals.Totals totals) {
        ObjectNode body = mapper.createObjectNode();
        body.put("delivery_id", d.id().toString());
        body.put("event", d.event());
        body.put("occurred_at", d.occurredAt().toString());
        body.put("run_id", d.runId().toString());
        body.put("tenant", d.tenant());
        body.put("state", d.runState());
        body.put("paused_reason", d.pausedReason());
        if (d.taskName() != null) {
            body.put("task_name", d.taskName());
        }
        ObjectNode counts = body.putObject("counts");
        for (Map.Entry<TaskState, Integer> e : totals.counts().entrySet()) {
            counts.put(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue());
        }
        RunRecord.Usage u = totals.usage();
        ObjectNode usage = body.putObject("usage");
        usage.put("calls", u.calls());
        usage.put("cached", u.cached());
        usage.put("input_tokens", u.inputTokens());
        usage.put("output_tokens", u.outputTokens());
        usage.put("cost_usd", u.costUsd());
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }
}
