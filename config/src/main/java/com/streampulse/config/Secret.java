package com.streampulse.config;

/**
 * A credential. Never printed: {@link #toString()} masks it, so logs and exceptions can't leak it.
 */
public record Secret(String value) {

    public static final String MASK = "******";

    public boolean isPresent() {
        return value != null && !value.isEmpty();
    }

    @Override
    public String toString() {
        return isPresent() ? MASK : "(not set)";
    }
}
