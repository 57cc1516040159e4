package com.latticeengine.processing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns one project, the run's requirements and the project's inputs into an output.
 * Runs outside any database transaction; may be interrupted on timeout, cancel or shutdown.
 */
public interface Processor {

    /** The name a submission uses in its {@code processor} field. */
    String name();

    JsonNode process(TaskContext context) throws ProcessingException, InterruptedException;
}
