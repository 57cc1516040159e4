package com.latticeengine.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.api.SubmissionParser;
import com.latticeengine.store.AttemptOutcome;
import com.latticeengine.store.AttemptUsage;
import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.TaskStore;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.Sql;
import com.latticeengine.support.WorkerDisabledProfile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One test per path through the recorder: every kind of result, written by hand (the worker is
 * off) against the real database, with what the store and the metrics show afterwards.
 */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class RecorderTest {

    private static final long LEASE_MS = 30_000;

    @Inject
    Recorder recorder;
    @Inject
    TaskStore store;
    @Inject
    WorkerIdentity identity;
    @Inject
    RunService runs;
    @Inject
    SubmissionParser parser;
    @Inject
    ObjectMapper mapper;
    @Inject
    Sql sql;
    @Inject
    MeterRegistry metrics;

    private UUID runId;

    @BeforeEach
    @AfterEach
    void emptyTables() throws SQLException {
        sql.execute("TRUNCATE run CASCADE; TRUNCATE rate_limit_hold");
    }

    @Test
    void theSuccessesOfABatchCommitTogetherReleaseTheirDownstreamAndEndTheRun() throws Exception {
        submit(Lattice.create().project("A", 1).project("B", 1).project("C", 2, "A").flow("B", "C", "d"));
        List<ClaimedTask> roots = claim(2);
        double succeeded = count("lattice.tasks.succeeded");
        recorder.write(roots.stream().map(t -> recording(t, succeeded(t))).toList());
        assertEquals("SUCCEEDED SUCCEEDED", row("A", "state") + " " + row("B", "state"));
        assertEquals("READY 0", row("C", "state || ' ' || remaining_inputs"));
        assertEquals(succeeded + 2, count("lattice.tasks.succeeded"));

        ClaimedTask c = claim(1).get(0);
        recorder.write(List.of(recording(c, succeeded(c))));
        assertEquals("SUCCEEDED", runState(), "the recorder ends the run its last task finished");
    }

    @Test
    void aLateResultIsRefusedByTheFenceAndCountedAsDiscarded() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask a = claim(1).get(0);
        store.handBack(identity.id(), Map.of(a.id(), a.attempt()), "a test");
        double discarded = count("lattice.tasks.discarded");
        recorder.write(List.of(recording(a, succeeded(a))));
        assertEquals("READY", row("A", "state"), "the task is no longer ours: the success changes nothing");
        assertEquals(discarded + 1, count("lattice.tasks.discarded"));
    }

    @Test
    void aRetryableFailureWaitsOutItsBackoffAsReady() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask a = claim(1).get(0);
        recorder.write(List.of(recording(a, new AttemptResult.Failed(AttemptOutcome.FAILED, "boom", true))));
        assertEquals("READY boom", row("A", "state || ' ' || error"));
        assertEquals("t", row("A", "(available_at > now())::text").substring(0, 1), "the backoff lies ahead");
        assertEquals("FAILED", attemptOutcome("A", 1));
    }

    @Test
    void aPermanentFailureFailsTheTaskBlocksWhatRequiresItAndEndsTheRun() throws Exception {
        submit(Lattice.create().project("A", 1).project("B", 2, "A"));
        ClaimedTask a = claim(1).get(0);
        double failed = count("lattice.tasks.failed", "outcome", "FAILED");
        recorder.write(List.of(recording(a, new AttemptResult.Failed(AttemptOutcome.FAILED, "broken", false))));
        assertEquals("FAILED BLOCKED", row("A", "state") + " " + row("B", "state"));
        assertEquals("FAILED", runState());
        assertEquals(failed + 1, count("lattice.tasks.failed", "outcome", "FAILED"));
    }

    @Test
    void aTimeoutIsRecordedAsTimedOut() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask a = claim(1).get(0);
        double timedOut = count("lattice.tasks.failed", "outcome", "TIMED_OUT");
        recorder.write(List.of(recording(a, new AttemptResult.Failed(AttemptOutcome.TIMED_OUT, "too slow", true))));
        assertEquals("TIMED_OUT", attemptOutcome("A", 1));
        assertEquals(timedOut + 1, count("lattice.tasks.failed", "outcome", "TIMED_OUT"));
    }

    @Test
    void aRateLimitGivesTheAttemptBackAndHoldsItsKey() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask claimed = claim(1).get(0);
        ClaimedTask a = new ClaimedTask(claimed.id(), claimed.runId(), claimed.name(), claimed.projectJson(),
                claimed.attempt(), claimed.requirements(), claimed.processor(), claimed.timeoutMs(),
                claimed.runOptionsJson(), "test-key", claimed.priority());
        double limited = count("lattice.tasks.rate.limited");
        recorder.write(List.of(recording(a, new AttemptResult.RateLimited(60_000, "slow down"))));
        assertEquals("READY 4", row("A", "state || ' ' || max_attempt"), "the attempt is not spent (3 + 1)");
        assertEquals("RATE_LIMITED", attemptOutcome("A", 1));
        assertEquals("1", sql.query("SELECT count(*) FROM rate_limit_hold WHERE limit_key = 'test-key' AND hold_until > now()"));
        assertEquals(limited + 1, count("lattice.tasks.rate.limited"));
    }

    @Test
    void anAbandonedAttemptWritesNothingAndHoldsNoLease() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask a = claim(1).get(0);
        recorder.submit(a, new AttemptResult.Abandoned());
        assertEquals(0, recorder.backlog());
        assertEquals(Map.of(), recorder.unrecordedAttempts());
        assertEquals("RUNNING", row("A", "state"));
    }

    @Test
    void oneBatchWithEveryKindOfResultRecordsEachOnceThroughTheFence() throws Exception {
        submit(Lattice.create().project("S", 1).project("F", 1).project("R", 1).project("L", 1));
        Map<String, ClaimedTask> byName = new java.util.HashMap<>();
        claim(4).forEach(t -> byName.put(t.name(), t));
        store.handBack(identity.id(), Map.of(byName.get("L").id(), 1), "a test");
        recorder.write(List.of(
                recording(byName.get("S"), succeeded(byName.get("S"))),
                recording(byName.get("F"), new AttemptResult.Failed(AttemptOutcome.FAILED, "no", false)),
                recording(byName.get("R"), new AttemptResult.RateLimited(1, "later")),
                recording(byName.get("L"), new AttemptResult.Failed(AttemptOutcome.FAILED, "late", false))));
        assertEquals("SUCCEEDED FAILED READY READY", String.join(" ", row("S", "state"), row("F", "state"),
                row("R", "state"), row("L", "state")));
        assertEquals("LOST", attemptOutcome("L", 1), "the late failure did not overwrite the hand-back");
        assertEquals("SUCCEEDED FAILED RATE_LIMITED", String.join(" ", attemptOutcome("S", 1), attemptOutcome("F", 1),
                attemptOutcome("R", 1)));
    }

    @Test
    void handBackReturnsOnlyThisWorkersTasksAsReadyWithTheirAttemptsLost() throws Exception {
        submit(Lattice.create().project("A", 1).project("B", 1));
        List<ClaimedTask> claimed = claim(2);
        ClaimedTask a = claimed.get(0);
        assertEquals(1, recorder.handBack(Map.of(a.id(), a.attempt(), claimed.get(1).id(), 99), "a test"),
                "the second token is stale: that task is not handed back");
        assertEquals("READY", row(a.name(), "state"));
        assertEquals("RUNNING", row(claimed.get(1).name(), "state"));
        assertEquals("LOST", attemptOutcome(a.name(), 1));
    }

    private static Recorder.Recording recording(ClaimedTask task, AttemptResult result) {
        return new Recorder.Recording(task, result);
    }

    private static AttemptResult succeeded(ClaimedTask task) {
        return new AttemptResult.Succeeded("{\"project\":\"" + task.name() + "\"}", AttemptUsage.NONE, null, null);
    }

    private List<ClaimedTask> claim(int limit) throws SQLException {
        return store.claim(identity.id(), limit, LEASE_MS);
    }

    private double count(String name, String... tags) {
        var search = metrics.find(name);
        return tags.length == 0 ? search.counter().count() : search.tag(tags[0], tags[1]).counter().count();
    }

    private void submit(Lattice lattice) throws Exception {
        runId = runs.submit(parser.parse(mapper.writeValueAsBytes(lattice.body())), "default", null).runId();
    }

    private String attemptOutcome(String task, int attempt) throws SQLException {
        return row(task, "(SELECT outcome FROM task_attempt WHERE task_id = task.id AND attempt = " + attempt + ")");
    }

    private String runState() throws SQLException {
        return sql.query("SELECT state FROM run WHERE id = '" + runId + "'");
    }

    private String row(String task, String expression) throws SQLException {
        return sql.query("SELECT " + expression + " FROM task WHERE run_id = '" + runId + "' AND name = '" + task + "'");
    }
}
