package com.latticeengine.store;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which database errors are an outage (wait and retry) and which are bugs (log and stop). */
class DatabaseErrorsTest {

    @Test
    void connectionExceptionsInsufficientResourcesAndOperatorInterventionAreConnectionLoss() {
        for (String state : new String[] {"08001", "08006", "08003", "53300", "53100", "57P01", "57P03"}) {
            assertTrue(DatabaseErrors.isConnectionLoss(new SQLException("x", state)), state);
        }
    }

    @Test
    void constraintSyntaxCastAndQueryCancelErrorsAreNot() {
        // 57014 (query_canceled) is class 57 but not 57P: a statement timeout is no outage.
        for (String state : new String[] {"23505", "42601", "22P02", "40001", "40P01", "57014", "XX000"}) {
            assertFalse(DatabaseErrors.isConnectionLoss(new SQLException("x", state)), state);
        }
        assertFalse(DatabaseErrors.isConnectionLoss(new SQLException("no state")));
    }

    @Test
    void aConnectionLossWrappedByTheTransactionManagerOrChainedBehindAnotherErrorIsFound() {
        RuntimeException wrapped = new RuntimeException("commit failed", new SQLException("io", "08006"));
        assertTrue(DatabaseErrors.isConnectionLoss(wrapped));
        SQLException chained = new SQLException("batch failed", "XX000");
        chained.setNextException(new SQLException("terminating connection", "57P01"));
        assertTrue(DatabaseErrors.isConnectionLoss(chained));
    }

    @Test
    void serializationFailuresAndDeadlocksAreTransactionConflictsAndNothingElseIs() {
        assertTrue(DatabaseErrors.isConflict(new RuntimeException(new SQLException("x", "40001"))));
        assertTrue(DatabaseErrors.isConflict(new SQLException("x", "40P01")));
        assertFalse(DatabaseErrors.isConflict(new SQLException("x", "08006")));
        assertFalse(DatabaseErrors.isConflict(new SQLException("x", "23505")));
    }

    @Test
    void thePoolsAcquisitionTimeoutIsConnectionLoss() {
        assertTrue(DatabaseErrors.isConnectionLoss(new SQLException("Sorry, acquisition timeout!")));
        assertTrue(DatabaseErrors.isConnectionLoss(
                new SQLException("Acquisition timeout while waiting for new connection", new InterruptedException())));
    }
}
