package com.streampulse.job.ingest;

/** The bytes are not an event of our schema. Carries no stack trace: it is an expected outcome. */
public final class MalformedEventException extends Exception {

    public MalformedEventException(String message) {
        super(message, null, false, false);
    }
}
