package com.latticeengine.engine;

import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fair share: a small run submitted behind a huge one does not wait for the huge one to drain. */
@QuarkusTest
class FairShareTest {

    private static final int BIG = 20_000;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aSmallRunSubmittedBehindAHugeOneFinishesLongBeforeIt() throws Exception {
        Lattice huge = Lattice.create();
        for (int i = 0; i < BIG; i++) {
            huge.project("p" + i, 1);
        }
        String big = Api.submit(huge);
        // The same priority as every task of the big run, and READY later than all of them: in
        // first-come order its tasks would be claimed after the whole backlog.
        Lattice five = Lattice.create();
        for (int i = 0; i < 5; i++) {
            five.project("s" + i, 1);
        }
        String small = Api.submit(five);

        assertEquals("SUCCEEDED", Api.awaitRunEnd(small, Duration.ofSeconds(60)).getString("state"));
        long bigUnfinished = unfinished(big);
        System.out.printf("[fair-share] big run: %d of %d tasks unfinished when the small run ended%n", bigUnfinished, BIG);
        // Generous: fair turns give the small run one of the next claims, so the big run has
        // hardly started; first-come order leaves it at most a slot count of tasks.
        assertTrue(bigUnfinished > BIG / 2, "the big run had only " + bigUnfinished
                + " of " + BIG + " tasks left when the small one finished");
        // The big run then drains as usual (waited for rather than cancelled: cancelling 19,000
        // busy tasks is slow on a loaded machine, and leaving them would slow the next tests).
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (unfinished(big) > 0) {
            assertTrue(System.nanoTime() < deadline, "the big run did not drain within 180 s");
            Api.sleep(200);
        }
    }

    private long unfinished(String runId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM task WHERE run_id = ? AND state IN ('WAITING', 'READY', 'RUNNING')")) {
            ps.setObject(1, UUID.fromString(runId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
