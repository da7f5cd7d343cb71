package com.streampulse.job.guard;

/**
 * The guard's refusal, one line saying what it found and what to do. Thrown wrapped in Flink's
 * {@code SuppressRestartsException}, so the job fails once instead of restarting into it again.
 */
public final class StatelessStartRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StatelessStartRefusedException(String message) {
        super(message);
    }

    public StatelessStartRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
