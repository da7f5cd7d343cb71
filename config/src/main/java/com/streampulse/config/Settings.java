package com.streampulse.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw settings: environment variables overridden by command-line flags. A variable {@code
 * KAFKA_TOPIC} is set on the command line as {@code --kafka-topic=x} or {@code --kafka-topic x}.
 * Typed getters fail with a {@link ConfigException} whose message names the variable.
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /** Environment first, then flags on top. */
    public static Settings of(Map<String, String> env, String[] args) {
        Map<String, String> values = new HashMap<>(env);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException(
                        "Unexpected argument '" + arg + "': flags look like --name=value");
            }
            String flag = arg.substring(2);
            String value;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            values.put(variableName(flag), value);
        }
        return new Settings(values);
    }

    /** Variables only, no flags (for example a resource's annotations). */
    public static Settings of(Map<String, String> variables) {
        return of(variables, new String[0]);
    }

    public static Settings fromEnvironment(String[] args) {
        return of(System.getenv(), args);
    }

    /** {@code kafka-topic} becomes {@code KAFKA_TOPIC}. */
    static String variableName(String flag) {
        return flag.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The flag that sets {@code variable}: {@code KAFKA_TOPIC} becomes {@code --kafka-topic}. */
    public static String flagName(String variable) {
        return "--" + variable.replace('_', '-').toLowerCase(Locale.ROOT);
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
            throw new ConfigException(name + " is required (or " + flagName(name) + ")");
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
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new ConfigException(
                        name + " must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + value + "'");
        }
    }

    public double decimal(String name, double defaultValue, double min, double max) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            double parsed = Double.parseDouble(value);
            if (!(parsed >= min && parsed <= max)) {
                throw new ConfigException(
                        name + " must be between " + min + " and " + max + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a number, got '" + value + "'");
        }
    }

    /** A number above {@code min} and at most {@code max}, such as a share of capacity. */
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

    /**
     * Durations as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}; a bare number is seconds.
     */
    public Duration duration(String name, Duration defaultValue, Duration min) {
        String value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(
                    name + " must be a duration such as 500ms, 10s, 5m or 1h, got '" + value + "'");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration parsed;
        try {
            long amount = Long.parseLong(m.group(1));
            parsed =
                    switch (unit) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofSeconds(amount);
                    };
            // Callers work in milliseconds; more of them than a long holds is unusable too.
            parsed.toMillis();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(name + " is too large, got '" + value + "'");
        }
        if (parsed.compareTo(min) < 0) {
            throw new ConfigException(
                    name + " must be at least " + min.toMillis() + "ms, got '" + value + "'");
        }
        return parsed;
    }
}
