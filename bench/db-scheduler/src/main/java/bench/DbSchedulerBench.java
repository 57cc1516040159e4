package bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Baseline for scripts/bench: db-scheduler executing N no-op one-time tasks that are all due,
 * with lock-and-fetch polling and 20 threads, on the same Postgres as the engine.
 *
 * Args: jdbcUrl user tasks threads [warmUpTasks [rounds]]. Prints one line: key=value pairs
 * (executions_per_s = the median round, ...). A first round of warmUpTasks runs in the same JVM
 * (reported as cold_*), then the measured rounds.
 * The tasks are inserted up front with one INSERT ... generate_series (not timed); the clock
 * runs from scheduler.start() until the table is empty (every execution's row deleted = committed).
 */
public final class DbSchedulerBench {

    private static final String SCHEMA = """
            DROP TABLE IF EXISTS scheduled_tasks;
            CREATE TABLE scheduled_tasks (
                task_name            text                     NOT NULL,
                task_instance        text                     NOT NULL,
                task_data            bytea,
                execution_time       timestamp with time zone NOT NULL,
                picked               boolean                  NOT NULL,
                picked_by            text,
                last_success         timestamp with time zone,
                last_failure         timestamp with time zone,
                consecutive_failures int,
                last_heartbeat       timestamp with time zone,
                version              bigint                   NOT NULL,
                priority             smallint,
                PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args.length > 1 ? args[1] : "postgres";
        int tasks = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 1;

        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setMaximumPoolSize(threads + 4);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            // The engine is measured cold (its warm-up run) and warm (S1); so is the baseline.
            double coldSeconds = warmUp > 0 ? execute(ds, warmUp, threads) : 0;
            // A round lasts about 2 s here and moves by 15 %; the median of several is steadier.
            double[] seconds = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                seconds[i] = execute(ds, tasks, threads);
            }
            Arrays.sort(seconds);
            double median = seconds[rounds / 2];
            System.out.printf("tasks=%d threads=%d warm_up=%d cold_seconds=%.3f cold_executions_per_s=%.1f"
                            + " rounds=%d min_executions_per_s=%.1f max_executions_per_s=%.1f"
                            + " seconds=%.3f executions_per_s=%.1f%n", tasks, threads, warmUp, coldSeconds,
                    warmUp > 0 ? warmUp / coldSeconds : 0, rounds, tasks / seconds[rounds - 1], tasks / seconds[0],
                    median, tasks / median);
        }
        System.exit(0);
    }

    /** Inserts {@code tasks} due executions into a fresh table and times a new scheduler until it emptied it. */
    private static double execute(HikariDataSource ds, int tasks, int threads) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
            s.execute("INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version)"
                    + " SELECT 'noop', 'i' || g, now() - interval '1 second', false, 1"
                    + " FROM generate_series(1, " + tasks + ") g");
            s.execute("ANALYZE scheduled_tasks");
        }

        AtomicInteger executed = new AtomicInteger();
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, ctx) -> executed.incrementAndGet());
        Scheduler scheduler = Scheduler.create(ds, noop)
                .threads(threads)
                .pollUsingLockAndFetch(0.5, 1.0)
                .pollingInterval(Duration.ofMillis(500))
                .build();

        long start = System.nanoTime();
        scheduler.start();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        long end;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            while (true) {
                if (executed.get() >= tasks) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            end = System.nanoTime();
                            break;
                        }
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out: " + executed.get() + " of " + tasks + " executed");
                }
                Thread.sleep(10);
            }
        }
        scheduler.stop();
        return (end - start) / 1e9;
    }
}
