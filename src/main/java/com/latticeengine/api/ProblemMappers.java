package com.latticeengine.api;

import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.store.DatabaseErrors;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;
import java.util.UUID;

/**
 * Maps the failures the API expects to problem+json. A database that is unreachable or
 * unavailable (SQLState 08, 53, 57P) is a 503 with Retry-After: the client should come back. Any
 * other database error is a 500 with an error id, logged at ERROR under that id: retrying will
 * not help, and the response never carries the SQL, the server's message or a class name.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Seconds; about how long a failover or a restart of the database takes. */
    static final String RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response invalidSubmission(InvalidSubmissionException e) {
        return Problem.response(400, "Invalid submission", e.getMessage(), e.violations());
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Problem.response(e.status, e.title, e.getMessage(), e.errors);
    }

    @ServerExceptionMapper
    public Response database(SQLException e) {
        return databaseFailure(e);
    }

    /** The run list reads through Hibernate, which wraps the driver's exception. */
    @ServerExceptionMapper
    public Response database(PersistenceException e) {
        return databaseFailure(e);
    }

    private static Response databaseFailure(Exception e) {
        if (DatabaseErrors.isConnectionLoss(e)) {
            LOG.warnf("request failed: the database is unavailable (%s)", DatabaseErrors.describe(e));
            return Response.fromResponse(Problem.response(503, "Service Unavailable",
                    "the database is unavailable; retry later", null)).header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "request failed on a database error, error id %s", errorId);
        return Response.status(500).type(Problem.MEDIA_TYPE).entity(new Problem("about:blank", "Internal Server Error",
                500, "the request failed on an internal error; quote error id " + errorId + " when reporting it",
                null, errorId)).build();
    }
}
