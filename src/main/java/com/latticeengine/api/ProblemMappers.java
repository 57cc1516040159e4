package com.latticeengine.api;

import com.latticeengine.lattice.InvalidSubmissionException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;

/** Maps the few failures the API expects to problem+json; anything else stays a visible 500. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalidSubmission(InvalidSubmissionException e) {
        return Problem.response(400, "Invalid submission", e.getMessage(), e.violations());
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Problem.response(e.status, e.title, e.getMessage(), e.errors);
    }

    @ServerExceptionMapper
    public Response databaseUnavailable(SQLException e) {
        LOG.warnf("request failed on the database: %s", e.getMessage());
        return Problem.response(503, "Service Unavailable", "the database is unavailable; retry later", null);
    }
}
