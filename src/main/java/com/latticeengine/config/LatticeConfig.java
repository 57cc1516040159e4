package com.latticeengine.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every {@code lattice.*} key; docs/CONFIGURATION.md describes each one. */
@ConfigMapping(prefix = "lattice")
public interface LatticeConfig {

    Processor processor();

    Worker worker();

    Retry retry();

    Task task();

    Simulated simulated();

    Llm llm();

    Budget budget();

    interface Processor {
        /** Processor used when a submission names none. */
        @WithName("default")
        @WithDefault("simulated")
        String defaultName();
    }

    interface Worker {
        /** Whether this process claims and runs tasks (false = API only). */
        @WithDefault("true")
        boolean enabled();

        /** Stable name of this replica in task rows; defaults to host name plus a random suffix. */
        Optional<String> id();

        /** Tasks this replica runs at once. */
        @WithDefault("8")
        int concurrency();

        /** Fallback claim poll when no wake-up arrives. */
        @WithDefault("1s")
        Duration pollInterval();

        /** Listen for Postgres notifications so that READY tasks are claimed at once on every replica. */
        @WithDefault("true")
        @WithName("notify")
        boolean notifications();

        /** How long a claim stays valid without a heartbeat. */
        @WithDefault("30s")
        Duration lease();

        @WithDefault("5s")
        Duration heartbeat();

        @WithDefault("5s")
        Duration reaperInterval();

        /** On shutdown, how long running tasks may finish before their leases are handed back. */
        @WithDefault("20s")
        Duration shutdownGrace();
    }

    interface Retry {
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();
    }

    interface Task {
        /** Execution timeout of one attempt. */
        @WithDefault("10m")
        Duration timeout();
    }

    interface Llm {
        /** Calls to rate-limited providers running at once across ALL replicas (enforced in Postgres). */
        @WithDefault("4")
        int maxConcurrent();

        /** System prompt template: inline text, or {@code file:/path} to read it from a file. Default: prompts/system.txt. */
        Optional<String> systemPrompt();

        /** User prompt template: inline text, or {@code file:/path}. Default: prompts/user.txt. */
        Optional<String> userPrompt();

        /** Price per model name, for the cost estimate of each call (cost is null for unpriced models). */
        Map<String, Price> prices();

        interface Price {
            /** USD per million input (prompt) tokens. */
            double inputPerMillion();

            /** USD per million output (completion) tokens. */
            double outputPerMillion();
        }
    }

    interface Budget {
        /** Cost cap (USD) of a run whose submission sets no budget; unset = no cap. */
        Optional<BigDecimal> defaultMaxCostUsd();

        /** Completion tokens a call without max_tokens reserves (and, under a cap, is limited to). */
        @WithDefault("4096")
        int reserveTokens();
    }

    interface Simulated {
        /** Latency of a simulated project that sets no simulate.latency_ms. */
        @WithDefault("200ms")
        Duration latency();
    }

    // --- Operations (roles, health, metrics): docs/CONFIGURATION.md ---

    Api api();

    Health health();

    Metrics metrics();

    interface Api {
        /** Whether this process serves /api/* (false = worker only: /api/* answers 404). */
        @WithDefault("true")
        boolean enabled();
    }

    interface Health {
        /**
         * Liveness turns DOWN when an enabled worker's claimer has not started a claim round for
         * this long; unset = max(3 x lattice.worker.poll-interval, 30s).
         */
        Optional<Duration> livenessTimeout();
    }

    interface Metrics {
        /** How often the ready-queue gauges re-read the database (only while someone scrapes). */
        @WithDefault("5s")
        Duration queueRefresh();
    }

    // --- Security (docs/SECURITY.md, docs/CONFIGURATION.md) ---

    Auth auth();

    Limits limits();

    Cors cors();

    interface Auth {
        /** Whether /api/* needs credentials: on in the prod profile, off in dev and test. */
        @WithDefault("true")
        boolean enabled();

        /** JSON array of {id, sha256, role, tenant}: hashes of the API keys, never the keys. */
        Optional<Path> apiKeysFile();

        /** JWT claim that names the caller's tenant. */
        @WithDefault("tenant")
        String tenantClaim();
    }

    /** Defaults a real lattice never hits; each one exceeded is a 400 (or 413) naming it. */
    interface Limits {
        /** Request body size; a larger body gets 413. */
        @WithDefault("16777216")
        long maxBodyBytes();

        /** Projects per lattice (scripts/bench submits 20,000). */
        @WithDefault("50000")
        int maxProjects();

        @WithDefault("200000")
        int maxDataFlows();

        /** Characters in a project name, parent_name, from_project, to_project or data_type. */
        @WithDefault("200")
        int maxNameLength();

        /** Characters of the run's requirements text. */
        @WithDefault("1000000")
        int maxRequirementsChars();

        /** Characters of the run's context (its JSON text when it is not a string). */
        @WithDefault("1000000")
        int maxContextChars();

        /** Nesting depth of the submitted JSON document. */
        @WithDefault("32")
        int maxJsonDepth();
    }

    interface Cors {
        /** Origins allowed to call the API from a browser; unset = CORS off (same origin only). */
        Optional<List<String>> origins();
    }

    // --- Webhooks (docs/CONFIGURATION.md, docs/SECURITY.md) ---

    Webhooks webhooks();

    interface Webhooks {
        /**
         * HMAC-SHA256 key of X-Lattice-Signature. Unset = no webhooks: submissions with a callback
         * are refused and nothing is sent (never unsigned).
         */
        Optional<String> secret();

        /** Whether callbacks may reach loopback, private and link-local addresses: off in prod, on in dev and test. */
        @WithDefault("false")
        boolean allowPrivate();

        /** How long a delivery is retried after its event before it is marked FAILED. */
        @WithDefault("24h")
        Duration maxAge();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Time for the receiver to answer one POST once connected. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** A sender's hold on a delivery it is sending; another replica retries it after this. */
        @WithDefault("60s")
        Duration lease();

        /** Retries wait about initial-backoff x 2^(attempt-1), jittered, at most max-backoff. */
        @WithDefault("5s")
        Duration initialBackoff();

        @WithDefault("10m")
        Duration maxBackoff();

        /** How often each replica looks for due deliveries. */
        @WithDefault("1s")
        Duration pollInterval();

        /** Deliveries one replica sends at once. */
        @WithDefault("8")
        int concurrency();
    }
}
