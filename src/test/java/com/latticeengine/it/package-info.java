/**
 * Integration tests against the packaged application: each {@code *IT} class starts real
 * {@code java -jar target/quarkus-app/quarkus-run.jar} replicas ({@link com.latticeengine.it.ReplicaProcess})
 * on one PostgreSQL database and checks what they did through the REST API and plain JDBC
 * ({@link com.latticeengine.it.RunChecks}).
 *
 * <ul>
 *   <li>{@link com.latticeengine.it.TwoProcessesIT}: two replicas share a 500-task run, every task exactly once.</li>
 *   <li>{@link com.latticeengine.it.ReplicaCrashIT}: replicas SIGKILLed mid-run; their attempts end LOST and rerun.</li>
 *   <li>{@link com.latticeengine.it.GracefulShutdownIT}: SIGTERM hands unfinished tasks back at once.</li>
 *   <li>{@link com.latticeengine.it.PostgresRestartIT}: the database restarts mid-run (local Debian cluster only).</li>
 *   <li>{@link com.latticeengine.it.LlmCapIT}: two replicas against a fake OpenAI server keep
 *       {@code lattice.llm.max-concurrent} cluster-wide (the fake counts requests in flight).</li>
 *   <li>{@link com.latticeengine.it.ConfigValidationIT}: an invalid engine configuration stops the jar at startup,
 *       naming each property.</li>
 * </ul>
 *
 * <p>Run them with {@code ./mvnw -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dit.test=TwoProcessesIT} for one class). The database is {@code LATTICE_TEST_DB_URL}
 * (default {@code jdbc:postgresql://127.0.0.1:5432/lattice_test}, user {@code LATTICE_DB_USER},
 * default postgres); every class empties it first ({@code TRUNCATE run CASCADE}), so point it at a
 * database nobody else is using. PostgresRestartIT restarts the whole local cluster that serves
 * that URL, which also disconnects every other database on it. Replica logs go to
 * {@code target/it-logs/<replica>.log}; {@code -Dlattice.it.seed=N} changes the random lattices.
 */
package com.latticeengine.it;
