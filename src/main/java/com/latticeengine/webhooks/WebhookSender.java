package com.latticeengine.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.config.LatticeConfig;
import com.latticeengine.engine.WorkerIdentity;
import com.latticeengine.store.DeliveryStore;
import com.latticeengine.store.RunTotals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends the webhook outbox (store/DeliverySql). Every worker replica (lattice.worker.enabled,
 * like the reaper) with a secret runs one: each poll
 * it leases due deliveries, POSTs each once, and records the outcome; a 2xx delivers, anything
 * else (status, timeout, refused connection, a host that resolves inward) is retried with
 * jittered exponential backoff until lattice.webhooks.max-age. A replica that dies mid-send
 * leaves its lease to lapse, and another replica sends the same delivery, same id, same bytes:
 * at least once. Each recorded attempt counts in lattice_webhook_attempts_total{outcome=delivered|
 * retrying|failed} (failed: given up, past max-age or refused by the address guard).
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    static final String DELIVERY_HEADER = "X-Lattice-Delivery";
    static final String EVENT_HEADER = "X-Lattice-Event";
    static final String SIGNATURE_HEADER = "X-Lattice-Signature";

    private final LatticeConfig.Webhooks config;
    private final DeliveryStore store;
    private final RunTotals totals;
    private final ObjectMapper mapper;
    private final AddressGuard guard;
    private final String senderId;
    private final boolean enabled;
    private final HttpClient client;
    private final ExecutorService pool;
    private final Counter delivered;
    private final Counter retrying;
    private final Counter failed;

    public WebhookSender(LatticeConfig config, DeliveryStore store, RunTotals totals, ObjectMapper mapper,
                         WorkerIdentity identity, MeterRegistry registry) {
        this.config = config.webhooks();
        this.store = store;
        this.totals = totals;
        this.mapper = mapper;
        this.guard = new AddressGuard(this.config.allowPrivate());
        this.senderId = identity.id();
        this.enabled = config.worker().enabled() && this.config.secret().isPresent();
        this.pool = Executors.newFixedThreadPool(this.config.concurrency(), r -> {
            Thread t = new Thread(r, "webhook-sender");
            t.setDaemon(true);
            return t;
        });
        // Redirects are not followed: a receiver could otherwise point the engine at any address.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(this.config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.delivered = attempts(registry, "delivered");
        this.retrying = attempts(registry, "retrying");
        this.failed = attempts(registry, "failed");
    }

    private static Counter attempts(MeterRegistry registry, String outcome) {
        return Counter.builder("lattice_webhook_attempts").description("webhook delivery attempts recorded by this replica")
                .tag("outcome", outcome).register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.secret().isEmpty()) {
            LOG.info("webhooks off: lattice.webhooks.secret is not set (submissions with a callback get 400)");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        pool.shutdown();
        try {
            pool.awaitTermination(config.connectTimeout().plus(config.requestTimeout()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Scheduled(every = "${lattice.webhooks.poll-interval}", skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!enabled) {
            return;
        }
        try {
            runOnce();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("webhook sender: could not take due deliveries (%s); trying again next poll", e.getMessage());
        }
    }

    /** Sends due deliveries in batches of lattice.webhooks.concurrency until a short batch; returns how many it tried. */
    public int runOnce() throws SQLException {
        int tried = 0;
        List<DeliveryStore.Claimed> batch;
        do {
            batch = store.claimDue(config.concurrency(), config.lease(), senderId);
            List<Future<?>> sends = new ArrayList<>();
            for (DeliveryStore.Claimed delivery : batch) {
                sends.add(pool.submit(() -> attempt(delivery)));
            }
            for (Future<?> send : sends) {
                await(send);
            }
            tried += batch.size();
        } while (batch.size() == config.concurrency() && !pool.isShutdown());
        return tried;
    }

    private void attempt(DeliveryStore.Claimed delivery) {
        try {
            String body = delivery.body() != null ? delivery.body() : store.fixBody(delivery.id(),
                    WebhookBody.of(mapper, delivery, totals.of(Set.of(delivery.runId())).get(delivery.runId())));
            send(delivery, body);
        } catch (SQLException | RuntimeException e) {
            // The lease lapses and the delivery is tried again, here or on another replica.
            LOG.warnf("webhook %s: could not record attempt %d (%s)", delivery.id(), delivery.attempt(), e.getMessage());
        }
    }

    /** The callback's own secret when it brought one (one per tenant's receiver), else the server's. */
    private String signingSecret(DeliveryStore.Claimed delivery) {
        return delivery.secret() != null ? delivery.secret() : config.secret().orElseThrow();
    }

    private void send(DeliveryStore.Claimed delivery, String body) throws SQLException {
        URI uri = URI.create(delivery.url());
        try {
            guard.checkBeforeSending(uri);
        } catch (AddressGuard.RefusedException e) {
            // A policy refusal, not an outage: retrying would only be refused again.
            fail(delivery, null, "refused: " + e.getMessage(), Duration.ZERO);
            return;
        } catch (UnknownHostException e) {
            fail(delivery, null, "unknown host " + uri.getHost(), null);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "lattice-engine-webhooks")
                .header(DELIVERY_HEADER, delivery.id().toString())
                .header(EVENT_HEADER, delivery.event())
                .header(SIGNATURE_HEADER, Signature.of(signingSecret(delivery), bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            // Only the status matters; closing the body unread ends the exchange, so a receiver that
            // streams an endless answer cannot hold a sending thread.
            response.body().close();
            int status = response.statusCode();
            if (status / 100 == 2) {
                store.markDelivered(delivery.id(), status);
                delivered.increment();
                LOG.debugf("webhook %s (%s, run %s) delivered on attempt %d", delivery.id(), delivery.event(),
                        delivery.runId(), delivery.attempt());
            } else {
                fail(delivery, status, "HTTP " + status, null);
            }
        } catch (HttpTimeoutException e) {
            fail(delivery, null, "timed out (" + e.getMessage() + ")", null);
        } catch (IOException e) {
            fail(delivery, null, "connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code maxAge} null: the configured one; ZERO gives up at once. */
    private void fail(DeliveryStore.Claimed delivery, Integer status, String error, Duration maxAge) throws SQLException {
        Duration age = maxAge == null ? config.maxAge() : maxAge;
        Duration retryAfter = backoff(delivery.attempt());
        String host = URI.create(delivery.url()).getHost();
        store.recordFailure(delivery, status, error, retryAfter, age).ifPresent(now -> {
            if (now.equals("FAILED")) {
                failed.increment();
                LOG.warnf("webhook %s (%s, run %s) to %s: gave up after attempt %d: %s", delivery.id(),
                        delivery.event(), delivery.runId(), host, delivery.attempt(), error);
            } else {
                retrying.increment();
                LOG.infof("webhook %s (%s, run %s) to %s: attempt %d failed: %s; retrying in %d ms", delivery.id(),
                        delivery.event(), delivery.runId(), host, delivery.attempt(), error, retryAfter.toMillis());
            }
        });
    }

    /** Equal jitter: between half and all of initial x 2^(attempt-1), capped at max-backoff. */
    Duration backoff(int attempt) {
        long max = config.maxBackoff().toMillis();
        long base = Math.min(max, config.initialBackoff().toMillis() << Math.min(attempt - 1, 30));
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    private static void await(Future<?> send) {
        try {
            send.get();
        } catch (ExecutionException e) {
            LOG.warnf("webhook attempt failed unexpectedly: %s", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
