package com.latticeengine.api;

import com.latticeengine.events.EventBroadcaster;
import com.latticeengine.events.EventSink;
import com.latticeengine.store.EventStore;
import com.latticeengine.store.RunEvent;
import com.latticeengine.store.RunQueries;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A run's state changes as Server-Sent Events, in log order, from whichever replica serves the
 * request. Reconnecting with {@code Last-Event-ID} resumes right after the last event received.
 */
@Path("/api/runs/{id}/events")
public class RunEventsResource {

    private static final long SEND_TIMEOUT_S = 10;

    private final EventBroadcaster broadcaster;
    private final RunQueries queries;

    public RunEventsResource(EventBroadcaster broadcaster, RunQueries queries) {
        this.broadcaster = broadcaster;
        this.queries = queries;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) throws SQLException {
        UUID runId;
        try {
            runId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no run " + id + " (run ids are UUIDs)");
        }
        if (queries.run(runId, false).isEmpty()) {
            throw ProblemException.notFound("no run " + runId);
        }
        EventStore.Cursor from = EventStore.Cursor.parse(lastEventId).orElse(EventStore.Cursor.START);
        broadcaster.subscribe(runId, from, new SseSink(sink, sse));
    }

    private record SseSink(SseEventSink sink, Sse sse) implements EventSink {

        @Override
        public boolean send(RunEvent event) {
            return deliver(sse.newEventBuilder()
                    .id(event.cursor())
                    .name(event.taskName() == null ? "run" : event.reviewDecision() != null ? "review" : "task")
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(RunEventView.class, RunViews.event(event))
                    .build());
        }

        @Override
        public boolean keepAlive() {
            return deliver(sse.newEventBuilder().comment("keep-alive").build());
        }

        @Override
        public void close() {
            sink.close();
        }

        private boolean deliver(jakarta.ws.rs.sse.OutboundSseEvent event) {
            if (sink.isClosed()) {
                return false;
            }
            try {
                sink.send(event).toCompletableFuture().get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                sink.close();
                return false;
            }
        }
    }
}
