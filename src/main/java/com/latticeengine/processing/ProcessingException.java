package com.latticeengine.processing;

/** A processor's failure; {@code retryable} tells the engine whether another attempt may help. */
public class ProcessingException extends Exception {

    private final boolean retryable;

    public ProcessingException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
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
}
