package com.streampulse.autoscaler.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables (or of annotations, which use the same formats). Every
 * failure is a {@link ConfigException} whose message names the variable.
 */
public final class Env {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Map<String, String> values;

    public Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    private String raw(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    public boolean isSet(String name) {
        return raw(name) != null;
    }

    public String string(String name, String defaultValue) {
        String value = raw(name);
        return value == null ? defaultValue : value;
    }

    public String required(String name) {
        String value = raw(name);
        if (value == null) {
            throw new ConfigException(name + " is required");
        }
        return value;
    }

    public Secret secret(String name) {
        return new Secret(raw(name));
    }

    public int integer(String name, int defaultValue, int min, int max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(
                    name + " must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    /** A number in the open-closed interval (min, max]. */
    public double fraction(String name, double defaultValue, double min, double max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a number, got '" + value + "'");
        }
        if (!(parsed > min && parsed <= max)) {
            throw new ConfigException(
                    name + " must be above " + min + " and at most " + max + ", got " + value);
        }
        return parsed;
    }

    /**
     * {@code 300}, {@code 300s}, {@code 5m}, {@code 1h}, {@code 500ms}; a bare number is seconds.
     */
    public Duration duration(String name, Duration defaultValue) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(
                    name + " must be a duration like 30s, 5m or 500ms, got '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    public Duration positiveDuration(String name, Duration defaultValue) {
        Duration d = duration(name, defaultValue);
        if (d.isZero()) {
            throw new ConfigException(name + " must be more than zero");
        }
        return d;
    }

    public boolean bool(String name, boolean defaultValue) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default ->
                    throw new ConfigException(name + " must be true or false, got '" + value + "'");
        };
    }
}
