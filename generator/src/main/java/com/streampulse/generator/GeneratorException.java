package com.streampulse.generator;

/** A failure the user can fix; the message is one line that says what and how. */
public final class GeneratorException extends RuntimeException {

    public GeneratorException(String message) {
        super(message);
    }

    public GeneratorException(String message, Throwable cause) {
        super(message, cause);
    }
}
