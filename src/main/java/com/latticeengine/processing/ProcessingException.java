package com.latticeengine.processing;

/** A processor's failure; {@code retryable} tells the engine whether another attempt may help. */
public class ProcessingException extends Exception {

    private final boolean retryable;
    private final Usage usage;

    public ProcessingException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    /** {@code usage}: what the attempt's model calls used before it failed (null when none were made). */
    public ProcessingException(String message, boolean retryable, Usage usage) {
        super(message);
        this.retryable = retryable;
        this.usage = usage;
    }

    public static ProcessingException retryable(String message) {
        return new ProcessingException(message, true);
    }

    public static ProcessingException permanent(String message) {
        return new ProcessingException(message, false);
    }

    public boolean retryable() {
        return retryable;
    }

    public Usage usage() {
        return usage;
    }
}
