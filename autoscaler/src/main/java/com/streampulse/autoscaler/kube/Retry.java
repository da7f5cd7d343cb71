package com.streampulse.autoscaler.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an API call that failed for a reason that may pass (connection, throttling, server
 * error), waiting twice as long each time. Client errors (403, 404, 422) fail at once: retrying
 * cannot fix them.
 */
public final class Retry {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    private final int attempts;
    private final Duration firstDelay;

    public Retry(int attempts, Duration firstDelay) {
        this.attempts = attempts;
        this.firstDelay = firstDelay;
    }

    public <T> T call(String what, Supplier<T> call) {
        long delay = firstDelay.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt >= attempts || !retriable(e)) {
                    throw e;
                }
                LOG.warn(
                        "{} failed (attempt {} of {}), retrying in {} ms: {}",
                        what,
                        attempt,
                        attempts,
                        delay,
                        e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay *= 2;
            }
        }
    }

    static boolean retriable(RuntimeException e) {
        if (e instanceof KubernetesClientException k) {
            int code = k.getCode();
            return code == 0 || code == 409 || code == 429 || code >= 500;
        }
        return e instanceof JobManagerClient.JobManagerException;
    }
}
