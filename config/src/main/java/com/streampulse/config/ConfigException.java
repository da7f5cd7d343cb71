package com.streampulse.config;

/** A missing or malformed setting. The message is one line that names the setting. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
