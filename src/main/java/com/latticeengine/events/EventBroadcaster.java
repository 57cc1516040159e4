package com.latticeengine.events;

import com.latticeengine.store.EventStore;
import com.latticeengine.store.RunEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Feeds run event streams. Whichever replica made a change, its transaction's notification
 * (or, if that is lost, the once-a-second sweep) makes this replica read the run's log past
 * each subscriber's cursor and send what is new, in log order.
 */
@ApplicationScoped
public class EventBroadcaster {

    private static final Logger LOG = Logger.getLogger(EventBroadcaster.class);
    private static final int BATCH = 500;
    private static final long SWEEP_MS = 1_000;
    private static final long KEEP_ALIVE_MS = 15_000;

    private final class Subscription {
        final UUID runId;
        final EventSink sink;
        EventStore.Cursor cursor;

        Subscription(UUID runId, EventStore.Cursor cursor, EventSink sink) {
            this.runId = runId;
            this.cursor = cursor;
            this.sink = sink;
        }
    }

    private final EventStore store;
    private final Map<UUID, Set<Subscription>> subscriptions = new ConcurrentHashMap<>();
    private final Set<UUID> changed = ConcurrentHashMap.newKeySet();
    private final Semaphore signal = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    public EventBroadcaster(EventStore store) {
        this.store = store;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::loop, "lattice-event-broadcaster");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        subscriptions.values().forEach(set -> set.forEach(s -> s.sink.close()));
    }

    /** Streams the run's events after {@code from} to {@code sink} until the run ends or the sink goes. */
    public void subscribe(UUID runId, EventStore.Cursor from, EventSink sink) {
        subscriptions.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(new Subscription(runId, from, sink));
        runChanged(runId);
    }

    /** Called on a notification for the run, from any thread. */
    public void runChanged(UUID runId) {
        if (subscriptions.containsKey(runId)) {
            changed.add(runId);
            signal.release();
        }
    }

    private void loop() {
        long lastSweep = System.nanoTime();
        long lastKeepAlive = System.nanoTime();
        while (running) {
            try {
                signal.tryAcquire(SWEEP_MS, TimeUnit.MILLISECONDS);
                signal.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() - lastSweep > TimeUnit.MILLISECONDS.toNanos(SWEEP_MS)) {
                changed.addAll(subscriptions.keySet());
                lastSweep = System.nanoTime();
            }
            for (UUID runId : List.copyOf(changed)) {
                changed.remove(runId);
                subscriptions.getOrDefault(runId, Set.of()).forEach(this::deliver);
            }
            if (System.nanoTime() - lastKeepAlive > TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MS)) {
                subscriptions.values().forEach(set -> set.forEach(s -> {
                    if (!s.sink.keepAlive()) {
                        drop(s);
                    }
                }));
                lastKeepAlive = System.nanoTime();
            }
        }
    }

    private void deliver(Subscription subscription) {
        try {
            List<RunEvent> events;
            do {
                events = store.after(subscription.runId, subscription.cursor, BATCH);
                for (RunEvent event : events) {
                    if (!subscription.sink.send(event)) {
                        drop(subscription);
                        return;
                    }
                    subscription.cursor = EventStore.Cursor.parse(event.cursor()).orElseThrow();
                    if (event.endsRun()) {
                        subscription.sink.close();
                        drop(subscription);
                        return;
                    }
                }
            } while (events.size() == BATCH);
        } catch (Exception e) {
            // The sweep tries again; a stream only ends when its client leaves or its run ends.
            LOG.debugf("event delivery for run %s deferred: %s", subscription.runId, e.getMessage());
        }
    }

    private void drop(Subscription subscription) {
        Set<Subscription> set = subscriptions.get(subscription.runId);
        if (set != null) {
            set.remove(subscription);
            subscriptions.computeIfPresent(subscription.runId, (id, s) -> s.isEmpty() ? null : s);
        }
    }
}
