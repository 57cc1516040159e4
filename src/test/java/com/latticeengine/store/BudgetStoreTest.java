package com.latticeengine.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.api.SubmissionParser;
import com.latticeengine.engine.RunService;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.Sql;
import com.latticeengine.support.WorkerDisabledProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The budget rules on real Postgres: atomic reservations, settle, sweep, over-budget pause, PATCH and resume. */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class BudgetStoreTest {

    private static final long LEASE_MS = 30_000;

    @Inject
    BudgetStore budgets;
    @Inject
    TaskStore store;
    @Inject
    RunService runs;
    @Inject
    SubmissionParser parser;
    @Inject
    ObjectMapper mapper;
    @Inject
    Sql sql;

    @BeforeEach
    @AfterEach
    void emptyTables() throws SQLException {
        sql.execute("TRUNCATE run CASCADE");
    }

    @Test
    void concurrentReservationsFromManyThreadsNeverOvershootTheBudget() throws Exception {
        // 40 tasks, each reserving 3 calls of 100 tokens and $0.01 from 16 threads: the token cap
        // (1,050) admits exactly 10 calls, whatever the interleaving.
        UUID runId = submit(40, Map.of("max_tokens", 1_050, "max_cost_usd", 1));
        List<ClaimedTask> claimed = store.claim("w", 40, LEASE_MS);
        assertEquals(40, claimed.size());
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> work = new ArrayList<>();
            for (ClaimedTask task : claimed) {
                work.add(() -> {
                    int won = 0;
                    for (int call = 1; call <= 3; call++) {
                        won += budgets.reserve(runId, task.id(), task.attempt(), "w", call, 100, new BigDecimal("0.01")) ? 1 : 0;
                    }
                    return won;
                });
            }
            int won = 0;
            for (Future<Integer> f : threads.invokeAll(work)) {
                won += f.get();
            }
            assertEquals(10, won, "reservations granted");
        } finally {
            threads.shutdownNow();
        }
        assertEquals("1000 0.1 10", sql.query("SELECT b.reserved_tokens || ' ' || b.reserved_cost_usd::float8 || ' '"
                + " || (SELECT count(*) FROM budget_reservation) FROM run_budget b WHERE run_id = '" + runId + "'"));
    }

    @Test
    void settleReplacesTheReservationByTheActualUsageAndTheSweepChargesAbandonedOnesInFull() throws Exception {
        UUID runId = submit(2, Map.of("max_cost_usd", 1));
        List<ClaimedTask> claimed = store.claim("w", 2, LEASE_MS);
        ClaimedTask a = claimed.get(0);
        ClaimedTask b = claimed.get(1);
        assertTrue(budgets.reserve(runId, a.id(), a.attempt(), "w", 1, 500, new BigDecimal("0.3")));
        assertTrue(budgets.reserve(runId, b.id(), b.attempt(), "w", 1, 400, new BigDecimal("0.2")));
        assertFalse(budgets.reserve(runId, a.id(), a.attempt(), "other-worker", 2, 1, new BigDecimal("0.01")),
                "an attempt that is not the caller's reserves nothing");
        budgets.settle(a.id(), a.attempt(), 1, 120, new BigDecimal("0.05"));
        assertEquals(0, budgets.chargeAbandoned(), "b's attempt still runs: its reservation stays");
        assertEquals("120 0.05 400 0.2", amounts(runId));

        store.failAttempt("w", b.id(), b.attempt(), AttemptOutcome.TIMED_OUT, "timed out", true, 0);
        assertEquals(1, budgets.chargeAbandoned());
        assertEquals("520 0.25 0 0", amounts(runId), "b's call was cut off: its worst case is spent");
        budgets.settle(b.id(), b.attempt(), 1, 10, new BigDecimal("0.001"));
        assertEquals("520 0.25 0 0", amounts(runId), "a late settle of a charged reservation changes nothing");
    }

    @Test
    void aCallThatCannotFitPausesTheRunAndABudgetThatCoversItResumesIt() throws Exception {
        UUID runId = submit(3, Map.of("max_tokens", 1_000));
        List<ClaimedTask> claimed = store.claim("w", 3, LEASE_MS);
        ClaimedTask a = claimed.get(0);
        ClaimedTask b = claimed.get(1);
        ClaimedTask c = claimed.get(2);
        assertTrue(budgets.reserve(runId, a.id(), a.attempt(), "w", 1, 600, null));
        assertFalse(budgets.reserve(runId, b.id(), b.attempt(), "w", 1, 600, null));

        // a's reservation may settle lower: b waits instead of pausing the run.
        BudgetStore.Deferral waiting = budgets.deferOverBudget("w", b.id(), b.attempt(), runId, 600, null,
                "over budget", AttemptUsage.NONE, 60_000);
        assertTrue(!waiting.overBudget() && !waiting.paused());
        assertEquals("RUNNING", sql.query("SELECT state FROM run WHERE id = '" + runId + "'"));
        assertEquals("READY 3 OVER_BUDGET", sql.query("SELECT t.state || ' ' || (t.max_attempt - t.attempt) || ' ' || a.outcome"
                + " FROM task t JOIN task_attempt a ON a.task_id = t.id WHERE t.id = " + b.id()));

        budgets.settle(a.id(), a.attempt(), 1, 550, null);
        assertFalse(budgets.reserve(runId, c.id(), c.attempt(), "w", 1, 600, null));
        BudgetStore.Deferral over = budgets.deferOverBudget("w", c.id(), c.attempt(), runId, 600, null,
                "over budget", AttemptUsage.NONE, 60_000);
        assertTrue(over.overBudget() && over.paused());
        assertEquals("PAUSED budget", sql.query("SELECT state || ' ' || paused_reason FROM run WHERE id = '" + runId + "'"));

        RunStore.Transition tooLittle = budgets.change(runId, new BudgetChange(true, 1_100L, false, null)).orElseThrow();
        assertFalse(tooLittle.changed(), "550 spent + 600 needed does not fit 1,100");
        assertEquals("PAUSED", sql.query("SELECT state FROM run WHERE id = '" + runId + "'"));
        RunStore.Transition enough = budgets.change(runId, new BudgetChange(true, 1_150L, false, null)).orElseThrow();
        assertTrue(enough.changed());
        assertEquals("RUNNING 1150", sql.query("SELECT r.state || ' ' || b.max_tokens FROM run r"
                + " JOIN run_budget b ON b.run_id = r.id WHERE r.id = '" + runId + "'"));
        assertTrue(budgets.change(UUID.randomUUID(), new BudgetChange(true, 1L, false, null)).isEmpty());
    }

    @Test
    void anOperatorPauseStaysWhenTheBudgetIsRaised() throws Exception {
        UUID runId = submit(1, Map.of("max_tokens", 100));
        ClaimedTask a = store.claim("w", 1, LEASE_MS).get(0);
        runs.pause(runId);
        assertFalse(budgets.reserve(runId, a.id(), a.attempt(), "w", 1, 200, null));
        BudgetStore.Deferral over = budgets.deferOverBudget("w", a.id(), a.attempt(), runId, 200, null, "over",
                AttemptUsage.NONE, 0);
        assertTrue(over.overBudget() && !over.paused());
        assertFalse(budgets.change(runId, new BudgetChange(true, null, false, null)).orElseThrow().changed());
        assertEquals("PAUSED operator", sql.query("SELECT state || ' ' || paused_reason FROM run WHERE id = '" + runId + "'"));
    }

    private String amounts(UUID runId) throws SQLException {
        return sql.query("SELECT spent_tokens || ' ' || spent_cost_usd::float8 || ' ' || reserved_tokens || ' ' || reserved_cost_usd::float8"
                + " FROM run_budget WHERE run_id = '" + runId + "'");
    }

    private UUID submit(int tasks, Map<String, Object> budget) throws Exception {
        Lattice lattice = Lattice.create();
        for (int i = 0; i < tasks; i++) {
            lattice.project("P" + i, 1);
        }
        lattice.option("budget", budget);
        return runs.submit(parser.parse(mapper.writeValueAsBytes(lattice.body())), "default", null).runId();
    }
}
