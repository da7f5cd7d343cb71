package com.streampulse.autoscaler.decide;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the controller learned of a deployment, kept on the resource (annotation {@code
 * streampulse.io/autoscaler-learned}) so that a controller started after a failover does not have
 * to see the job saturated again before it can scale it down.
 *
 * @param capacity records per second one parallel instance processes; NaN while unknown
 * @param restart the measured downtime of a rescale; null while none was measured
 */
public record Learned(double capacity, Duration restart) {

    private static final Pattern FORMAT =
            Pattern.compile("capacity=([0-9.]+|unknown)/s restart=(PT\\S+|unknown)");

    public static final Learned NOTHING = new Learned(Double.NaN, null);

    /** The annotation's text, e.g. {@code capacity=812.5/s restart=PT48S}. */
    public String format() {
        return "capacity="
                + (Double.isNaN(capacity)
                        ? "unknown"
                        : String.format(Locale.ROOT, "%.1f", capacity))
                + "/s restart="
                + (restart == null ? "unknown" : restart.withNanos(0).toString());
    }

    /** The annotation read back; {@link #NOTHING} when absent or not in this format. */
    public static Learned parse(String text) {
        if (text == null) {
            return NOTHING;
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return NOTHING;
        }
        double capacity =
                m.group(1).equals("unknown") ? Double.NaN : Double.parseDouble(m.group(1));
        Duration restart = m.group(2).equals("unknown") ? null : Duration.parse(m.group(2));
        return new Learned(capacity > 0 ? capacity : Double.NaN, restart);
    }

    /** Worth writing again: capacity moved by more than a tenth, or a restart was measured. */
    public boolean differsFrom(Learned written) {
        boolean capacityMoved =
                Double.isNaN(written.capacity)
                        ? !Double.isNaN(capacity)
                        : !Double.isNaN(capacity)
                                && Math.abs(capacity - written.capacity) > 0.1 * written.capacity;
        boolean restartMoved =
                restart != null
                        && (written.restart == null
                                || Math.abs(restart.toSeconds() - written.restart.toSeconds())
                                        >= 1);
        return capacityMoved || restartMoved;
    }
}
