package com.latticeengine.store;

import com.latticeengine.api.SubmissionParser;
import com.latticeengine.engine.Reaper;
import com.latticeengine.engine.RunService;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.Sql;
import com.latticeengine.support.WorkerDisabledProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per rule of the hot path: claim, fencing, reaping, hand-back, retry, failure propagation. */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class TaskStoreTest {

    private static final long LEASE_MS = 30_000;

    @Inject
    TaskStore store;
    @Inject
    RunService runs;
    @Inject
    Reaper reaper;
    @Inject
    RunStore runStore;
    @Inject
    SubmissionParser parser;
    @Inject
    ObjectMapper mapper;
    @Inject
    AgroalDataSource dataSource;

    @Inject
    Sql sql;

    private UUID runId;

    @BeforeEach
    @AfterEach
    void emptyTables() throws SQLException {
        sql.execute("TRUNCATE run CASCADE");
    }

    @Test
    void claimTakesOnlyReadyTasksAndRecordsTheAttempt() throws Exception {
        submit(Lattice.create().project("A", 1).project("B", 1).project("C", 2, "A").flow("B", "C", "d"));
        List<ClaimedTask> claimed = store.claim("w1", 10, LEASE_MS);
        assertEquals(List.of("A", "B"), claimed.stream().map(ClaimedTask::name).sorted().toList());
        assertTrue(claimed.stream().allMatch(t -> t.attempt() == 1));
        assertEquals("RUNNING w1 1", row("A", "state || ' ' || worker_id || ' ' || attempt"));
        assertEquals("1", row("A", "(SELECT count(*) FROM task_attempt WHERE task_id = task.id AND outcome IS NULL)"));
        assertEquals(List.of(), store.claim("w2", 10, LEASE_MS), "C waits for two inputs; nothing else is READY");
    }

    @Test
    void aClaimNeverTakesMoreThanItsLimitWhateverPlanPostgresCaches() throws Exception {
        // Statistics of an empty table once made a cached plan re-run a LIMIT subquery per row.
        sql.execute("ANALYZE task");
        submitRoots(60);
        int total = 0;
        for (int round = 0; round < 25; round++) {
            int claimed = store.claim("w1", 2, LEASE_MS).size();
            assertTrue(claimed <= 2, "round " + round + " claimed " + claimed);
            total += claimed;
        }
        assertEquals(50, total);
    }

    @Test
    void aClaimTakesTheTaskWithTheLongestChainBehindItFirst() throws Exception {
        // Side1..Side3 come first in submission order, but Head starts the chain Head -> Mid -> Tail.
        submit(Lattice.create().project("Side1", 1).project("Side2", 1).project("Side3", 1)
                .project("Head", 1).project("Mid", 2, "Head").project("Tail", 3, "Mid"));
        assertEquals("3", row("Head", "priority"));
        assertEquals(List.of("Head"), store.claim("w1", 1, LEASE_MS).stream().map(ClaimedTask::name).toList());
        assertEquals(List.of("Side1", "Side2"), store.claim("w1", 2, LEASE_MS).stream().map(ClaimedTask::name).sorted().toList(),
                "equal priorities go in ready order, then in submission order");
    }

    @Test
    void aClaimReadsOnlyTheRowsItTakesEvenWithStatisticsOfAnEmptyQueue() throws Exception {
        queueOf2000AfterStatisticsOfADrainedOne();
        JsonNode plan = explainedAfter(TaskSql.CLAIM_SETTINGS, TaskSql.CLAIM, (c, ps) -> {
            ps.setInt(1, 16);
            ps.setInt(2, 8);
            ps.setString(3, "w1");
            ps.setLong(4, LEASE_MS);
        });
        JsonNode candidates = findPlan(plan, "candidates");
        assertTrue(candidates != null, "no plan for the candidates CTE in " + plan);
        assertTrue(!candidates.toString().contains("\"Sort\""), "the claim sorted a run's READY tasks: " + candidates);
        assertTrue(candidates.toString().contains("\"Index Name\":\"task_ready_run_idx\""),
                "not the per-run ready index: " + candidates);
        assertTrue(maxRows(candidates) <= 16, "the claim read more rows than its candidates: " + candidates);
        assertEquals(8, findPlan(plan, "picked").path("Actual Rows").asLong(), plan.toString());
    }

    @Test
    void aConnectionPlansTheClaimOnceAndNotOnEveryClaim() throws Exception {
        submitRoots(20);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // pgjdbc prepares a statement on the server from its fifth execution on a connection.
            for (int i = 0; i < 10; i++) {
                try (Statement s = c.createStatement()) {
                    s.execute(TaskSql.CLAIM_SETTINGS);
                }
                try (PreparedStatement ps = c.prepareStatement(TaskSql.CLAIM)) {
                    ps.setInt(1, 2);
                    ps.setInt(2, 1);
                    ps.setString(3, "w1");
                    ps.setLong(4, LEASE_MS);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "claim " + i + " took nothing");
                    }
                }
                c.commit();
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    // The pooled connection may hold both claim statements from earlier tests.
                    "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
                            + " WHERE statement LIKE '%picked AS MATERIALIZED%'")) {
                assertTrue(rs.next() && rs.getObject(1) != null, "the claim was never prepared on the server");
                assertEquals(0, rs.getLong(2), "claims planned again with their own limits");
                assertTrue(rs.getLong(1) >= 2, "the cached plan ran " + rs.getLong(1) + " times");
            }
            c.rollback();
        }
    }

    @Test
    void aClaimHandsOutTurnsPerRunAndKeepsTheCriticalPathInsideEachRun() throws Exception {
        submitRoots(10);
        UUID big = runId;
        submit(Lattice.create().project("Side", 1).project("Head", 1).project("Tail", 2, "Head"));
        UUID small = runId;
        List<ClaimedTask> claimed = store.claim("w1", 4, LEASE_MS);
        assertEquals(2, claimed.stream().filter(t -> t.runId().equals(big)).count(), claimed.toString());
        assertEquals(List.of("Head", "Side"), claimed.stream().filter(t -> t.runId().equals(small))
                .map(ClaimedTask::name).toList(), "inside a run the longest chain still goes first");
    }

    @Test
    void aRunThatHoldsSlotsWaitsUntilAnotherRunHasAsMany() throws Exception {
        submitRoots(20);
        UUID big = runId;
        assertEquals(6, store.claim("w1", 6, LEASE_MS).size());
        submitRoots(5);
        UUID small = runId;
        // One slot at a time, as a busy replica frees them: the small run's five go first.
        for (int i = 0; i < 5; i++) {
            assertEquals(small, store.claim("w1", 1, LEASE_MS).get(0).runId(), "claim " + i);
        }
        assertEquals(big, store.claim("w1", 1, LEASE_MS).get(0).runId(), "six each now: back in turn");
    }

    @Test
    void aPausedRunHandsOutNothingUntilResumed() throws Exception {
        submitRoots(3);
        assertEquals(RunState.RUNNING, runStore.pause(runId, PausedReason.OPERATOR).orElseThrow().before());
        assertEquals(List.of(), store.claim("w1", 10, LEASE_MS));
        assertEquals("PAUSED operator", sql.query("SELECT state || ' ' || paused_reason FROM run WHERE id = '" + runId + "'"));
        assertTrue(runStore.resume(runId).orElseThrow().changed());
        assertEquals(3, store.claim("w1", 10, LEASE_MS).size());
    }

    @Test
    void theEventTriggerNeverComparesEveryPairOfABigStatementsRows() throws Exception {
        submitRoots(2_000);
        List<String> triggerPlans = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            // auto_explain sends every nested statement's plan to this client as a NOTICE.
            s.execute("LOAD 'auto_explain'");
            s.execute("SET LOCAL auto_explain.log_min_duration = 0");
            s.execute("SET LOCAL auto_explain.log_nested_statements = on");
            s.execute("SET LOCAL auto_explain.log_level = 'notice'");
            s.execute("SET LOCAL client_min_messages = notice");
            // A one-task statement first (a claim of one): the session plans the trigger's join at
            // that size and keeps the plan for the big statement after it.
            s.execute("UPDATE task SET attempt = attempt + 1 WHERE id IN (SELECT id FROM task ORDER BY id LIMIT 1)");
            s.execute("UPDATE task SET state = 'CANCELLED' WHERE run_id = '" + runId + "'");
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w.getMessage().contains("INSERT INTO run_event") && w.getMessage().contains("old_tasks")) {
                    triggerPlans.add(w.getMessage());
                }
            }
            c.rollback();
        }
        assertEquals(1, triggerPlans.size(), "the big statement's trigger plan: " + triggerPlans);
        assertTrue(triggerPlans.get(0).contains("rows=") && !triggerPlans.get(0).contains("Nested Loop"),
                "a nested loop over 2,000 x 2,000 rows: " + triggerPlans.get(0));
    }

    @Test
    void turnsGoPerTenantFirstThenPerRun() throws Exception {
        Lattice roots = Lattice.create();
        for (int i = 0; i < 10; i++) {
            roots.project("root" + i, 1);
        }
        byte[] body = mapper.writeValueAsBytes(roots.body());
        UUID a1 = runs.submit(parser.parse(body), "acme", null).runId();
        UUID a2 = runs.submit(parser.parse(body), "acme", null).runId();
        UUID a3 = runs.submit(parser.parse(body), "acme", null).runId();
        UUID b1 = runs.submit(parser.parse(body), "bravo", null).runId();
        Map<UUID, Long> perRun = store.claim("w1", 6, LEASE_MS).stream()
                .collect(Collectors.groupingBy(ClaimedTask::runId, Collectors.counting()));
        assertEquals(3L, perRun.get(b1), "bravo's one run gets its tenant's half: " + perRun);
        assertEquals(List.of(1L, 1L, 1L), List.of(perRun.get(a1), perRun.get(a2), perRun.get(a3)),
                "acme's half goes round its three runs: " + perRun);
    }

    @Test
    void completionsHeartbeatsAndTheFinishedRunCheckReadOnlyTheirOwnRowsEvenWithStatisticsOfAnEmptyQueue()
            throws Exception {
        queueOf2000AfterStatisticsOfADrainedOne();
        List<ClaimedTask> claimed = store.claim("w1", 8, LEASE_MS);
        String ids = claimed.stream().map(t -> String.valueOf(t.id())).collect(Collectors.joining(","));
        JsonNode completion;
        JsonNode heartbeat;
        JsonNode finishRuns;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            // The plans a pooled connection ends up with: generic, planned once for any parameters.
            s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            s.execute("PREPARE complete AS " + numbered(TaskSql.MARK_SUCCEEDED));
            s.execute("PREPARE finish AS " + numbered(TaskSql.FINISH_RUNS));
            s.execute("PREPARE heartbeat AS " + numbered(TaskSql.HEARTBEAT));
            heartbeat = explained(s, "EXECUTE heartbeat('" + Jdbc.attemptsById(attemptsOf(claimed)) + "', 30000, '{"
                    + ids + "}', 'w1')");
            completion = explained(s, "EXECUTE complete('" + Jdbc.resultsById(claimed.stream().map(TaskStoreTest::success).toList())
                    + "', '{" + ids + "}', 'w1')");
            finishRuns = explained(s, "EXECUTE finish('{" + runId + "}')");
            c.rollback();
        }
        assertEquals(8, completion.path("Actual Rows").asLong(), completion.toString());
        assertTrue(maxRows(completion) <= 8, "the completion read more tasks than it completes: " + completion);
        assertEquals(8, heartbeat.path("Actual Rows").asLong(), heartbeat.toString());
        assertTrue(maxRows(heartbeat) <= 8, "the heartbeat read more tasks than it extends: " + heartbeat);
        assertTrue(maxRows(finishRuns) <= 1, "the finished-run check read more than one unfinished task: " + finishRuns);
    }

    @Test
    void aCompletionOf200TasksLooksUpOnlyThemWhenTheStatisticsPredateTheRun() throws Exception {
        sql.execute("ANALYZE task");
        submitRoots(5_000);
        List<ClaimedTask> claimed = store.claim("w1", 200, LEASE_MS);
        JsonNode completion = explainedCompletion(claimed);
        assertEquals(200, completion.path("Actual Rows").asLong(), completion.toString());
        assertTrue(maxRows(completion) <= 200, "the completion read more tasks than it completes: " + completion);
    }

    @Test
    void completionsAndHeartbeatsOfABigBatchDoWorkInProportionToIt() throws Exception {
        // Believing few tasks RUNNING, the planner once joined a batch's unnest() as the inner
        // side of a nested loop and rescanned it for every row: 2 s for a heartbeat of 2,000.
        // A linear plan visits each task a few times per plan node (about 5 nodes in a heartbeat,
        // 11 in a completion, which also closes the attempts); a rescanned batch, 2,000 times.
        sql.execute("ANALYZE task");
        submitRoots(2_000);
        List<ClaimedTask> claimed = store.claim("w1", 2_000, LEASE_MS);
        List<Long> ids = claimed.stream().map(ClaimedTask::id).toList();
        JsonNode heartbeat = explainedAfter(TaskSql.BY_ID_SETTINGS, TaskSql.HEARTBEAT, (c, ps) -> {
            ps.setString(1, Jdbc.attemptsById(attemptsOf(claimed)));
            ps.setLong(2, LEASE_MS);
            ps.setArray(3, Jdbc.longs(c, ids));
            ps.setString(4, "w1");
        });
        JsonNode completion = explainedCompletion(claimed);
        assertEquals(2_000, heartbeat.path("Actual Rows").asLong(), heartbeat.toString());
        assertEquals(2_000, completion.path("Actual Rows").asLong(), completion.toString());
        assertTrue(rowsVisited(heartbeat) <= 10 * 2_000, "the heartbeat's work grew faster than its batch: " + heartbeat);
        assertTrue(rowsVisited(completion) <= 20 * 2_000, "the completion's work grew faster than its batch: " + completion);
    }

    /** EXPLAIN ANALYZE of worker w1's completion of all the claimed tasks, as TaskStore runs it; rolled back. */
    private JsonNode explainedCompletion(List<ClaimedTask> claimed) throws Exception {
        return explainedAfter(TaskSql.BY_ID_SETTINGS, TaskSql.MARK_SUCCEEDED, (c, ps) -> {
            ps.setString(1, Jdbc.resultsById(claimed.stream().map(TaskStoreTest::success).toList()));
            ps.setArray(2, Jdbc.longs(c, claimed.stream().map(ClaimedTask::id).toList()));
            ps.setString(3, "w1");
        });
    }

    private static Map<Long, Integer> attemptsOf(List<ClaimedTask> claimed) {
        return claimed.stream().collect(Collectors.toMap(ClaimedTask::id, ClaimedTask::attempt));
    }

    private interface Params {
        void set(Connection c, PreparedStatement ps) throws SQLException;
    }

    /** EXPLAIN ANALYZE of {@code sql} in a transaction that ran {@code settings} first; rolled back. */
    private JsonNode explainedAfter(String settings, String sql, Params params) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(settings);
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
                params.set(c, ps);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return mapper.readTree(rs.getString(1)).get(0).get("Plan");
                }
            } finally {
                c.rollback();
            }
        }
    }

    /** JDBC's ? placeholders as $1, $2, ... for a server-side PREPARE. */
    private static String numbered(String sql) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            out.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
        }
        return out.toString();
    }

    private JsonNode explained(Statement s, String statement) throws Exception {
        try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)) {
            rs.next();
            return mapper.readTree(rs.getString(1)).get(0).get("Plan");
        }
    }

    /**
     * 2,000 READY tasks in a table last vacuumed and analyzed when its 150,000 earlier tasks had
     * all gone READY -> RUNNING -> SUCCEEDED: the statistics and index sizes of a busy queue
     * table, under which the planner once picked the unfinished-task index for id lookups.
     */
    private void queueOf2000AfterStatisticsOfADrainedOne() throws Exception {
        submit(Lattice.create().project("done", 1));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // Bulk history without its events: triggers are not what this test is about.
            s.execute("SET session_replication_role = replica");
            s.execute("INSERT INTO task (run_id, name, position, layer, project, state, remaining_inputs, max_attempt)"
                    + " SELECT '" + runId + "', 'done' || g, g, 1, '{}', 'READY', 0, 1 FROM generate_series(1, 150000) g");
            s.execute("UPDATE task SET state = 'RUNNING', worker_id = 'w0', lease_expires_at = now()");
            s.execute("UPDATE task SET state = 'SUCCEEDED', lease_expires_at = NULL, finished_at = now()");
            s.execute("RESET session_replication_role");
        }
        sql.execute("VACUUM ANALYZE task");
        submitRoots(2_000);
    }

    private static JsonNode findPlan(JsonNode node, String subplan) {
        String name = node.path("Subplan Name").asText();
        if (name.equals(subplan) || name.equals("CTE " + subplan)) {
            return node;
        }
        for (JsonNode child : node.path("Plans")) {
            JsonNode found = findPlan(child, subplan);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Rows every plan node produced or threw away, over all its loops (a rescanned node counts each time). */
    private static long rowsVisited(JsonNode node) {
        long perLoop = node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong()
                + node.path("Rows Removed by Join Filter").asLong();
        long total = perLoop * Math.max(1, node.path("Actual Loops").asLong());
        for (JsonNode child : node.path("Plans")) {
            total += rowsVisited(child);
        }
        return total;
    }

    /** The most rows any plan node read: those it returned plus those its filter threw away. */
    private static long maxRows(JsonNode node) {
        long max = node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong();
        for (JsonNode child : node.path("Plans")) {
            max = Math.max(max, maxRows(child));
        }
        return max;
    }

    @Test
    void aLateCompletionFromAWorkerWhoseLeaseExpiredChangesNothing() throws Exception {
        submit(Lattice.create().project("A", 1).project("C", 2, "A"));
        ClaimedTask first = store.claim("w1", 1, LEASE_MS).get(0);
        sql.execute("UPDATE task SET lease_expires_at = now() - interval '1 second' WHERE name = 'A'");
        assertEquals(1, reaper.runOnce());
        assertEquals("LOST", row("A", "(SELECT outcome FROM task_attempt WHERE task_id = task.id AND attempt = 1)"));
        ClaimedTask second = store.claim("w2", 1, LEASE_MS).get(0);
        assertEquals(2, second.attempt());

        TaskStore.Outcome late = store.completeSucceeded("w1", List.of(success(first)));
        assertTrue(late.applied().isEmpty(), "the stale worker's result is discarded");
        assertEquals("RUNNING w2", row("A", "state || ' ' || worker_id"));
        assertEquals("WAITING 1", row("C", "state || ' ' || remaining_inputs"));
        assertTrue(store.heartbeat("w1", Map.of(first.id(), 1), LEASE_MS).isEmpty(),
                "the stale worker's heartbeat extends nothing");

        store.completeSucceeded("w2", List.of(success(second)));
        store.completeSucceeded("w2", List.of(success(second)));
        assertEquals("READY 0", row("C", "state || ' ' || remaining_inputs"),
                "one decrement per upstream, however often a completion is delivered");
        assertEquals("SUCCEEDED", row("A", "(SELECT outcome FROM task_attempt WHERE task_id = task.id AND attempt = 2)"));
    }

    @Test
    void theReaperFailsATaskWhoseLastAttemptWasLostAndBlocksItsDownstream() throws Exception {
        submit(Lattice.create().project("A", 1).project("B", 2, "A").project("C", 3, "B").option("max_attempts", 1));
        store.claim("w1", 1, LEASE_MS);
        sql.execute("UPDATE task SET lease_expires_at = now() - interval '1 second' WHERE name = 'A'");
        reaper.runOnce();
        assertEquals("FAILED", row("A", "state"));
        assertEquals("BLOCKED", row("B", "state"));
        assertEquals("BLOCKED", row("C", "state"));
        assertEquals("FAILED", runState());
    }

    @Test
    void handedBackTasksAreReadyAtOnceWithoutSpendingAnAttempt() throws Exception {
        submit(Lattice.create().project("A", 1).option("max_attempts", 1));
        ClaimedTask claimed = store.claim("w1", 1, LEASE_MS).get(0);
        assertEquals(1, store.handBack("w1", Map.of(claimed.id(), claimed.attempt()), "worker w1 shut down").applied().size());
        assertEquals("READY 2", row("A", "state || ' ' || max_attempt"));
        assertEquals("handed back: worker w1 shut down",
                row("A", "(SELECT error FROM task_attempt WHERE task_id = task.id AND attempt = 1)"));
        assertEquals(2, store.claim("w2", 1, LEASE_MS).get(0).attempt());
    }

    @Test
    void claimedByListsOnlyThisWorkersRunningTasksOlderThanTheGivenAge() throws Exception {
        submit(Lattice.create().project("Old", 1).project("New", 1).project("Other", 1));
        List<ClaimedTask> mine = store.claim("w1", 2, LEASE_MS);
        store.claim("w2", 1, LEASE_MS);
        String old = mine.get(0).name();
        sql.execute("UPDATE task SET started_at = now() - interval '1 minute' WHERE name = '" + old + "'");
        Map<Long, Integer> orphans = store.claimedBy("w1", 10_000);
        assertEquals(Map.of(mine.get(0).id(), 1), orphans, "only w1's task claimed over 10 s ago");
        store.handBack("w1", orphans, "a test");
        assertEquals("READY", row(old, "state"));
    }

    @Test
    void aRetryableFailureWaitsOutItsBackoffBeforeTheNextClaim() throws Exception {
        submit(Lattice.create().project("A", 1));
        ClaimedTask claimed = store.claim("w1", 1, LEASE_MS).get(0);
        store.failAttempt("w1", claimed.id(), 1, AttemptOutcome.FAILED, "boom", true, 60_000);
        assertEquals("READY", row("A", "state"));
        assertEquals(List.of(), store.claim("w1", 1, LEASE_MS), "backoff not over yet");
        sql.execute("UPDATE task SET available_at = now() WHERE name = 'A'");
        assertEquals(2, store.claim("w1", 1, LEASE_MS).get(0).attempt());
    }

    @Test
    void aFailureReleasesTasksThatTakeItOnlyAsAnOptionalInput() throws Exception {
        submit(Lattice.create().project("Bad", 1).project("Good", 1)
                .project("Tolerant", 2, "Good").flow("Bad", "Tolerant", "x", false)
                .project("Strict", 2, "Good").flow("Bad", "Strict", "x"));
        for (ClaimedTask t : store.claim("w1", 2, LEASE_MS)) {
            if (t.name().equals("Bad")) {
                store.failAttempt("w1", t.id(), 1, AttemptOutcome.FAILED, "broken", false, 0);
            } else {
                store.completeSucceeded("w1", List.of(success(t)));
            }
        }
        assertEquals("READY 0", row("Tolerant", "state || ' ' || remaining_inputs"));
        assertEquals("BLOCKED", row("Strict", "state"));
    }

    /** A run of {@code count} independent projects, all READY at once. */
    private void submitRoots(int count) throws Exception {
        Lattice lattice = Lattice.create();
        for (int i = 0; i < count; i++) {
            lattice.project("root" + i, 1);
        }
        submit(lattice);
    }

    private void submit(Lattice lattice) throws Exception {
        runId = runs.submit(parser.parse(mapper.writeValueAsBytes(lattice.body())), "default", null).runId();
    }

    private static TaskStore.Success success(ClaimedTask task) {
        return new TaskStore.Success(task.id(), task.attempt(), "{\"project\":\"" + task.name() + "\"}");
    }

    private String runState() throws SQLException {
        return sql.query("SELECT state FROM run WHERE id = '" + runId + "'");
    }

    private String row(String task, String expression) throws SQLException {
        return sql.query("SELECT " + expression + " FROM task WHERE run_id = '" + runId + "' AND name = '" + task + "'");
    }
}
