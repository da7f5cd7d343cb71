package com.streampulse.autoscaler.config;

/** A missing or malformed setting; the message is one line that names the variable. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
