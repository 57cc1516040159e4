package com.latticeengine.events;

import com.latticeengine.config.LatticeConfig;
import com.latticeengine.engine.ClaimWakeups;
import com.latticeengine.store.Channels;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Keeps one connection LISTENing: "a task became READY" wakes this replica's claimer, so a hop
 * between tasks costs a notification, not a poll interval; "a run changed" feeds the event
 * streams served here. When the connection dies it reconnects with backoff and wakes both
 * once, since notifications sent meanwhile are lost; the fallback polls cover the gap. The connection is its own, not the pool's: a
 * broken listening connection must never be handed to the engine's hot path.
 */
@ApplicationScoped
public class NotificationListener {

    private static final Logger LOG = Logger.getLogger(NotificationListener.class);
    private static final int WAIT_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String url;
    private final Properties credentials = new Properties();
    private final ClaimWakeups wakeups;
    private final EventBroadcaster events;
    private final boolean enabled;
    private volatile boolean running;
    private Thread thread;

    public NotificationListener(ClaimWakeups wakeups, EventBroadcaster events, LatticeConfig config,
                         @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                         @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                         @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.url = url;
        user.ifPresent(u -> credentials.setProperty("user", u));
        password.ifPresent(p -> credentials.setProperty("password", p));
        this.wakeups = wakeups;
        this.events = events;
        this.enabled = config.worker().notifications();
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        thread = new Thread(this::listenLoop, "lattice-notification-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void listenLoop() {
        long backoffMs = 500;
        boolean everConnected = false;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, credentials)) {
                try (Statement s = connection.createStatement()) {
                    s.execute(Channels.listen(Channels.READY));
                    s.execute(Channels.listen(Channels.EVENTS));
                }
                if (everConnected) {
                    LOG.info("notification listener reconnected");
                    wakeups.wake();
                }
                everConnected = true;
                backoffMs = 500;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MS);
                    for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                        if (Channels.READY.equals(notification.getName())) {
                            wakeups.wake();
                        } else {
                            events.runChanged(UUID.fromString(notification.getParameter()));
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("notification listener lost its connection (%s); reconnecting in %d ms", e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
    }
}
