package com.latticeengine.store;

import com.latticeengine.support.Sql;
import com.latticeengine.support.WorkerDisabledProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of the task store, one test per rule each statement keeps, through the store's
 * own API only (rows are made by RunStore.insert, read back with plain SQL). A second store
 * implementation or a schema change must pass the same suite. TaskStoreTest adds the plans
 * behind the statements.
 */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class TaskStoreContractTest {

    private static final long LEASE_MS = 30_000;

    @Inject
    TaskStore store;
    @Inject
    RunStore runs;
    @Inject
    Sql sql;

    private UUID runId;

    @BeforeEach
    @AfterEach
    void emptyTables() throws SQLException {
        sql.execute("TRUNCATE run CASCADE; TRUNCATE rate_limit_hold; TRUNCATE result_cache");
    }

    // --- claim ---

    @Test
    void claimTakesOnlyReadyTasksUpToItsLimitAndOpensOneAttemptEach() throws Exception {
        run().task("A").task("B").task("C").task("D", "A").insert();
        List<ClaimedTask> claimed = store.claim("w1", 2, LEASE_MS);
        assertEquals(2, claimed.size());
        for (ClaimedTask t : claimed) {
            assertEquals("RUNNING w1 1 1", row(t.name(), "state || ' ' || worker_id || ' ' || attempt || ' ' || "
                    + "(SELECT count(*) FROM task_attempt WHERE task_id = task.id AND outcome IS NULL)"));
        }
        assertEquals(1, store.claim("w2", 10, LEASE_MS).size(), "the third root; D still waits for A");
    }

    @Test
    void claimsOfTwoWorkersAreDisjoint() throws Exception {
        run().task("A").task("B").task("C").insert();
        Set<Long> first = ids(store.claim("w1", 2, LEASE_MS));
        Set<Long> second = ids(store.claim("w2", 2, LEASE_MS));
        assertEquals(1, second.size());
        assertTrue(first.stream().noneMatch(second::contains));
    }

    @Test
    void claimSkipsATaskWhoseBackoffHasNotPassed() throws Exception {
        run().task("A").insert();
        sql.execute("UPDATE task SET available_at = now() + interval '1 hour'");
        assertEquals(List.of(), store.claim("w1", 1, LEASE_MS));
    }

    @Test
    void claimTakesTheHighestPriorityFirstThenTheLongestReady() throws Exception {
        run().task("Low").task("High").task("Older").insert();
        sql.execute("UPDATE task SET priority = 5 WHERE name = 'High'");
        sql.execute("UPDATE task SET available_at = now() - interval '1 minute' WHERE name = 'Older'");
        // One slot at a time: the rule is which task a short claim takes (a claim returns its
        // rows in no particular order).
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.addAll(names(store.claim("w1", 1, LEASE_MS)));
        }
        assertEquals(List.of("High", "Older", "Low"), order);
    }

    @Test
    void claimLeavesLimitedTasksToClaimLimitedAndTheOtherWayRound() throws Exception {
        run().task("Free").insert();
        run().limitKey("k").task("Limited").insert();
        assertEquals(List.of("Free"), names(store.claim("w1", 10, LEASE_MS)));
        assertEquals(List.of("Limited"), names(store.claimLimited("w1", 10, LEASE_MS, 10)));
    }

    @Test
    void limitedClaimsOfAllWorkersTogetherNeverExceedTheCap() throws Exception {
        run().limitKey("k").task("A").task("B").task("C").task("D").insert();
        assertEquals(2, store.claimLimited("w1", 10, LEASE_MS, 2).size());
        assertEquals(0, store.claimLimited("w2", 10, LEASE_MS, 2).size(), "two already run under the cap of 2");
    }

    @Test
    void limitedClaimsSkipAKeyOnHold() throws Exception {
        run().limitKey("held").task("A").insert();
        sql.execute("INSERT INTO rate_limit_hold (limit_key, hold_until) VALUES ('held', now() + interval '1 hour')");
        assertEquals(0, store.claimLimited("w1", 10, LEASE_MS, 10).size());
    }

    // --- complete ---

    @Test
    void aSuccessStoresTheOutputClosesItsAttemptAndReleasesDownstreamTogether() throws Exception {
        run().task("A").task("B", "A").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        TaskStore.Outcome outcome = store.completeSucceeded("w1", List.of(success(a)));
        assertEquals(Set.of(a.id()), outcome.applied());
        assertEquals(1, outcome.madeReady());
        assertEquals("SUCCEEDED {\"project\": \"A\"}", row("A", "state || ' ' || output::text"));
        assertEquals("SUCCEEDED", attempt("A", 1, "outcome"));
        assertEquals("READY 0", row("B", "state || ' ' || remaining_inputs"));
    }

    @Test
    void aSuccessIsFencedByWorkerAttemptAndRunningState() throws Exception {
        run().task("A").task("B", "A").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        assertTrue(store.completeSucceeded("w2", List.of(success(a))).applied().isEmpty(), "another worker");
        assertTrue(store.completeSucceeded("w1", List.of(new TaskStore.Success(a.id(), 2, "{}"))).applied().isEmpty(),
                "another attempt");
        store.completeSucceeded("w1", List.of(success(a)));
        assertTrue(store.completeSucceeded("w1", List.of(success(a))).applied().isEmpty(), "no longer RUNNING");
        assertEquals("READY 0", row("B", "state || ' ' || remaining_inputs"), "one decrement however often delivered");
    }

    @Test
    void aFanInTaskIsReadyOnlyOnceItsLastDistinctUpstreamSucceeded() throws Exception {
        run().task("A").task("B").task("C", "A", "B", "A").insert();
        assertEquals("WAITING 2", row("C", "state || ' ' || remaining_inputs"), "A twice counts once");
        List<ClaimedTask> roots = store.claim("w1", 2, LEASE_MS);
        store.completeSucceeded("w1", List.of(success(roots.get(0))));
        assertEquals("WAITING 1", row("C", "state || ' ' || remaining_inputs"));
        store.completeSucceeded("w1", List.of(success(roots.get(1))));
        assertEquals("READY 0", row("C", "state || ' ' || remaining_inputs"));
    }

    @Test
    void aCacheableOutputIsOfferedOnceAndTheFirstOutputForAKeyStays() throws Exception {
        run().task("A").task("B").insert();
        List<ClaimedTask> claimed = store.claim("w1", 2, LEASE_MS);
        store.completeSucceeded("w1", List.of(new TaskStore.Success(claimed.get(0).id(), 1, "{\"n\": 1}",
                AttemptUsage.NONE, "key")));
        store.completeSucceeded("w1", List.of(new TaskStore.Success(claimed.get(1).id(), 1, "{\"n\": 2}",
                AttemptUsage.NONE, "key")));
        assertEquals("{\"n\": 1}", store.cachedOutput("key").orElseThrow());
        assertTrue(store.cachedOutput("other").isEmpty());
    }

    // --- fail and defer ---

    @Test
    void aRetryableFailureWithAttemptsLeftIsReadyAgainAfterItsBackoff() throws Exception {
        run().task("A").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        store.failAttempt("w1", a.id(), 1, AttemptOutcome.FAILED, "boom", true, 3_600_000);
        assertEquals("READY boom true", row("A", "state || ' ' || error || ' ' || (available_at > now() + interval '50 minutes')"));
        assertEquals("FAILED boom", attempt("A", 1, "outcome || ' ' || error"));
    }

    @Test
    void aFailureWithoutAttemptsLeftBlocksRequiredDownstreamTransitivelyAndReleasesOptional() throws Exception {
        run().maxAttempts(1).task("A").task("B", "A").task("C", "B").task("Tolerant").optional("Tolerant", "A").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        TaskStore.Outcome outcome = store.failAttempt("w1", a.id(), 1, AttemptOutcome.TIMED_OUT, "slow", true, 0);
        assertEquals("FAILED BLOCKED BLOCKED READY", String.join(" ", row("A", "state"), row("B", "state"),
                row("C", "state"), row("Tolerant", "state")));
        assertEquals(1, outcome.madeReady(), "the optional input released Tolerant");
        assertEquals("TIMED_OUT", attempt("A", 1, "outcome"));
    }

    @Test
    void aFailureIsFenced() throws Exception {
        run().task("A").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        assertTrue(store.failAttempt("w2", a.id(), 1, AttemptOutcome.FAILED, "x", false, 0).applied().isEmpty());
        assertTrue(store.failAttempt("w1", a.id(), 2, AttemptOutcome.FAILED, "x", false, 0).applied().isEmpty());
        assertEquals("RUNNING", row("A", "state"));
    }

    @Test
    void aRateLimitedAttemptIsGivenBackWithoutSpendingItAndHoldsItsKeyFenced() throws Exception {
        run().limitKey("k").task("A").insert();
        ClaimedTask a = store.claimLimited("w1", 1, LEASE_MS, 10).get(0);
        assertTrue(store.deferRateLimited("w2", a.id(), 1, "k", 60_000, "429").applied().isEmpty(), "fenced");
        store.deferRateLimited("w1", a.id(), 1, "k", 60_000, "429");
        assertEquals("READY 4", row("A", "state || ' ' || max_attempt"));
        assertEquals("RATE_LIMITED", attempt("A", 1, "outcome"));
        sql.execute("UPDATE task SET available_at = now()");
        assertEquals(0, store.claimLimited("w1", 1, LEASE_MS, 10).size(), "the key is held, though the task is due");
    }

    // --- heartbeat, reap, hand back ---

    @Test
    void aHeartbeatExtendsOnlyTheLeasesThisWorkerStillHolds() throws Exception {
        run().task("A").task("B").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        ClaimedTask b = store.claim("w2", 1, LEASE_MS).get(0);
        sql.execute("UPDATE task SET lease_expires_at = now() + interval '1 second'");
        Set<Long> held = store.heartbeat("w1", Map.of(a.id(), 1, b.id(), 1), 600_000);
        assertEquals(Set.of(a.id()), held);
        assertEquals("t", row(a.name(), "(lease_expires_at > now() + interval '5 minutes')::text").substring(0, 1));
        assertEquals("f", row(b.name(), "(lease_expires_at > now() + interval '5 minutes')::text").substring(0, 1));
        assertEquals(Set.of(), store.heartbeat("w1", Map.of(a.id(), 2), LEASE_MS), "a stale attempt extends nothing");
    }

    @Test
    void theReaperTakesBackOnlyExpiredLeasesAndTheirAttemptsEndLost() throws Exception {
        run().task("Expired").task("Alive").insert();
        store.claim("w1", 2, LEASE_MS);
        sql.execute("UPDATE task SET lease_expires_at = now() - interval '1 second' WHERE name = 'Expired'");
        TaskStore.Outcome reaped = store.reapExpired(10);
        assertEquals(1, reaped.applied().size());
        assertEquals("READY RUNNING", row("Expired", "state") + " " + row("Alive", "state"));
        assertEquals("LOST", attempt("Expired", 1, "outcome"));
    }

    @Test
    void theReaperFailsATaskWhoseLastAttemptWasLost() throws Exception {
        run().maxAttempts(1).task("A").task("B", "A").insert();
        store.claim("w1", 1, LEASE_MS);
        sql.execute("UPDATE task SET lease_expires_at = now() - interval '1 second'");
        store.reapExpired(10);
        assertEquals("FAILED BLOCKED", row("A", "state") + " " + row("B", "state"));
    }

    @Test
    void handBackReturnsOnlyThisWorkersFencedTasksWithoutSpendingTheirAttempt() throws Exception {
        run().task("A").task("B").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        ClaimedTask b = store.claim("w2", 1, LEASE_MS).get(0);
        TaskStore.Outcome back = store.handBack("w1", Map.of(a.id(), 1, b.id(), 1), "test");
        assertEquals(Set.of(a.id()), back.applied());
        assertEquals("READY 4", row(a.name(), "state || ' ' || max_attempt"));
        assertEquals("LOST handed back: test", attempt(a.name(), 1, "outcome || ' ' || error"));
        assertEquals("RUNNING", row(b.name(), "state"));
    }

    @Test
    void claimedByListsThisWorkersRunningTasksOlderThanTheGivenAge() throws Exception {
        run().task("A").task("B").insert();
        ClaimedTask a = store.claim("w1", 1, LEASE_MS).get(0);
        store.claim("w2", 1, LEASE_MS);
        assertEquals(Map.of(), store.claimedBy("w1", 60_000), "too young");
        sql.execute("UPDATE task SET started_at = now() - interval '2 minutes'");
        assertEquals(Map.of(a.id(), 1), store.claimedBy("w1", 60_000));
    }

    // --- runs ---

    @Test
    void aRunEndsOnlyWithoutUnfinishedTasksAndItsStateFollowsThem() throws Exception {
        UUID ok = run().task("A").insert();
        UUID bad = run().maxAttempts(1).task("A").insert();
        assertEquals(Set.of(), store.finishRuns(List.of(ok, bad)), "both still have READY tasks");
        for (ClaimedTask t : store.claim("w1", 2, LEASE_MS)) {
            if (t.runId().equals(ok)) {
                store.completeSucceeded("w1", List.of(success(t)));
            } else {
                store.failAttempt("w1", t.id(), 1, AttemptOutcome.FAILED, "x", false, 0);
            }
        }
        assertEquals(Set.of(ok, bad), store.finishRuns(List.of(ok, bad)));
        assertEquals("SUCCEEDED", sql.query("SELECT state FROM run WHERE id = '" + ok + "'"));
        assertEquals("FAILED", sql.query("SELECT state FROM run WHERE id = '" + bad + "'"));
        assertEquals(Set.of(), store.finishRuns(List.of(ok)), "an ended run is not ended again");
        assertTrue(store.runningRuns().isEmpty());
    }

    // --- helpers ---

    /** A run to insert: tasks with their required upstreams, optional links, one limit key for all. */
    private final class RunBuilder {
        private final Map<String, List<String>> required = new LinkedHashMap<>();
        private final List<String[]> optional = new ArrayList<>();
        private String limitKey;
        private int maxAttempts = 3;

        RunBuilder task(String name, String... upstream) {
            required.put(name, List.of(upstream));
            return this;
        }

        RunBuilder optional(String to, String from) {
            optional.add(new String[] {to, from});
            return this;
        }

        RunBuilder limitKey(String key) {
            limitKey = key;
            return this;
        }

        RunBuilder maxAttempts(int n) {
            maxAttempts = n;
            return this;
        }

        UUID insert() throws SQLException {
            List<NewRun.Task> tasks = new ArrayList<>();
            List<NewRun.Link> links = new ArrayList<>();
            int position = 0;
            for (Map.Entry<String, List<String>> task : required.entrySet()) {
                Set<String> upstream = new LinkedHashSet<>(task.getValue());
                optional.stream().filter(o -> o[0].equals(task.getKey())).forEach(o -> upstream.add(o[1]));
                tasks.add(new NewRun.Task(task.getKey(), position++, 1, "{\"project\": \"" + task.getKey() + "\"}",
                        upstream.size(), 1, limitKey));
                int input = 0;
                for (String from : task.getValue()) {
                    links.add(new NewRun.Link(task.getKey(), input++, from, "data_flow", "d" + input, true, null));
                }
                for (String[] o : optional) {
                    if (o[0].equals(task.getKey())) {
                        links.add(new NewRun.Link(o[0], input++, o[1], "data_flow", "opt", false, null));
                    }
                }
            }
            UUID id = UUID.randomUUID();
            assertTrue(runs.insert(new NewRun(id, "contract", "simulated", maxAttempts, 60_000, "{}", null, "default", null, null,
                    tasks, links)));
            runId = id;
            return id;
        }
    }

    private RunBuilder run() {
        return new RunBuilder();
    }

    private static TaskStore.Success success(ClaimedTask task) {
        return new TaskStore.Success(task.id(), task.attempt(), "{\"project\": \"" + task.name() + "\"}");
    }

    private static Set<Long> ids(List<ClaimedTask> tasks) {
        Set<Long> ids = new LinkedHashSet<>();
        tasks.forEach(t -> ids.add(t.id()));
        return ids;
    }

    private static List<String> names(List<ClaimedTask> tasks) {
        return tasks.stream().map(ClaimedTask::name).toList();
    }

    private String attempt(String task, int attempt, String expression) throws SQLException {
        return sql.query("SELECT " + expression + " FROM task_attempt WHERE attempt = " + attempt
                + " AND task_id = (SELECT id FROM task WHERE run_id = '" + runId + "' AND name = '" + task + "')");
    }

    private String row(String task, String expression) throws SQLException {
        return sql.query("SELECT " + expression + " FROM task WHERE run_id = '" + runId + "' AND name = '" + task + "'");
    }
}
