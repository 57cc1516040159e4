package com.latticeengine.engine;

import com.latticeengine.store.ClaimedTask;

/**
 * One claimed task on this replica. Interrupts go through here so that only the processor call
 * is ever interrupted, never the JDBC work around it, and so the worker knows why it was stopped.
 */
final class Execution {

    enum Stop { NONE, TIMED_OUT, REVOKED, SHUTDOWN }

    final ClaimedTask task;
    private Thread thread;
    private boolean inProcessor;
    private Stop stop = Stop.NONE;

    Execution(ClaimedTask task) {
        this.task = task;
    }

    /** False when the task was stopped before its processor started. */
    synchronized boolean enterProcessor() {
        thread = Thread.currentThread();
        inProcessor = stop == Stop.NONE;
        return inProcessor;
    }

    /** Leaves the processor call, clearing a pending interrupt; returns why it was stopped, if it was. */
    synchronized Stop leaveProcessor() {
        inProcessor = false;
        Thread.interrupted();
        return stop;
    }

    synchronized void stop(Stop reason) {
        if (stop == Stop.NONE) {
            stop = reason;
        }
        if (inProcessor) {
            thread.interrupt();
        }
    }
}
