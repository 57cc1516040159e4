package com.latticeengine.events;

import com.latticeengine.store.ClaimedTask;
import com.latticeengine.store.TaskStore;
import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import com.latticeengine.support.WorkerDisabledProfile;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This process serves the stream but runs no worker: every task transition is made by "another
 * replica" (the test, through the store), so events can only arrive through the database.
 */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
class RunEventsTest {

    private static final String LOG = """
            SELECT e.tx::text || '-' || e.id || '-' || coalesce(t.n, 0), coalesce(t.name, '<run>') || ' ' || e.state
              FROM run_event e LEFT JOIN LATERAL unnest(e.task_names) WITH ORDINALITY AS t(name, n) ON true
             WHERE e.run_id = ?::uuid ORDER BY e.tx, e.id, t.n
            """;

    @TestHTTPResource("/")
    URL base;
    @Inject
    TaskStore store;
    @Inject
    AgroalDataSource dataSource;

    record Event(String id, String name, String data) {
    }

    @Test
    void aStreamSeesOtherReplicasTransitionsInOrderAndResumesWithoutGapsOrDuplicates() throws Exception {
        String run = Api.submit(Lattice.create().project("A", 1).project("B", 2, "A").project("C", 3, "B"));

        BlockingQueue<Event> first = new LinkedBlockingQueue<>();
        Thread reader = stream(run, null, first);
        List<Event> received = new ArrayList<>();
        complete("A");
        received.addAll(take(first, 6));   // run RUNNING, A/B/C created, A RUNNING, A SUCCEEDED...
        reader.interrupt();

        complete("B");
        complete("C");
        BlockingQueue<Event> second = new LinkedBlockingQueue<>();
        stream(run, received.get(received.size() - 1).id(), second);
        Event last;
        do {
            last = second.poll(10, TimeUnit.SECONDS);
            assertNotNull(last, "the resumed stream must run until the run-ended event");
            received.add(last);
        } while (!(last.name().equals("run") && last.data().contains("SUCCEEDED")));

        List<String> log = log(run);
        assertEquals(log.stream().map(l -> l.split(" ", 2)[0]).toList(), received.stream().map(Event::id).toList(),
                "the two streams together are exactly the log, in order: " + log);
        assertTrue(received.stream().anyMatch(e -> e.data().contains("\"worker_id\":\"replica-b\"")),
                "events name the worker of the other replica");
    }

    @Test
    void aStreamResumesInsideAStatementThatMovedManyTasks() throws Exception {
        String run = Api.submit(Lattice.create().project("A", 1).project("B", 1).project("C", 1).project("D", 2, "A"));
        List<ClaimedTask> claimed = store.claim("replica-b", 3, 30_000);
        assertEquals(3, claimed.size(), "one claim statement takes A, B and C");
        List<String> log = log(run);
        List<String> claimRow = log.stream().filter(l -> l.endsWith(" RUNNING") && !l.contains("<run>")).toList();
        assertEquals(3, claimRow.size(), "the claim's three transitions: " + log);
        String secondOfRow = claimRow.get(1).split(" ", 2)[0];
        assertEquals(rowOf(claimRow.get(0)), rowOf(claimRow.get(2)), "one row holds the whole claim: " + log);

        BlockingQueue<Event> resumed = new LinkedBlockingQueue<>();
        Thread reader = stream(run, secondOfRow, resumed);
        Event next = resumed.poll(10, TimeUnit.SECONDS);
        reader.interrupt();
        assertNotNull(next, "the stream resumed inside the row must send its rest");
        assertEquals(claimRow.get(2).split(" ", 2)[0], next.id(), "the third task of the row comes next, once: " + log);
        assertTrue(next.data().contains("\"task_name\":\"" + claimRow.get(2).split(" ")[1] + "\""), next.data());

        BlockingQueue<Event> legacy = new LinkedBlockingQueue<>();
        reader = stream(run, rowOf(claimRow.get(0)), legacy);
        Event afterRow = legacy.poll(3, TimeUnit.SECONDS);
        reader.interrupt();
        assertNull(afterRow, "an id from before V7 (tx-id) resumes after its whole row, and nothing came since");

        given().post("/api/runs/" + run + "/cancel").then().statusCode(200);
    }

    private static String rowOf(String logLine) {
        String id = logLine.split(" ", 2)[0];
        return id.substring(0, id.lastIndexOf('-'));
    }

    private void complete(String task) throws Exception {
        for (ClaimedTask claimed : store.claim("replica-b", 1, 30_000)) {
            assertEquals(task, claimed.name());
            store.completeSucceeded("replica-b", List.of(new TaskStore.Success(claimed.id(), claimed.attempt(),
                    "{\"project\":\"" + task + "\"}")));
            store.finishRuns(java.util.Set.of(claimed.runId()));
        }
    }

    private Thread stream(String run, String lastEventId, BlockingQueue<Event> into) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "api/runs/" + run + "/events"))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        Thread thread = new Thread(() -> {
            try {
                HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                        .send(request.build(), HttpResponse.BodyHandlers.ofLines());
                String id = null;
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (Thread.currentThread().isInterrupted()) {
                        response.body().close();
                        return;
                    }
                    if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && id != null) {
                        into.add(new Event(id, name, data.toString()));
                        id = null;
                        data.setLength(0);
                    }
                }
            } catch (Exception e) {
                // the test reads what arrived; an interrupted reader simply stops
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static List<Event> take(BlockingQueue<Event> queue, int count) throws InterruptedException {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Event event = queue.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "only " + events.size() + " events arrived: " + events);
            events.add(event);
        }
        return events;
    }

    private List<String> log(String run) throws Exception {
        List<String> log = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LOG)) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    log.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return log;
    }
}
