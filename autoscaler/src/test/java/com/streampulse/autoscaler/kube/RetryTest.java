package com.streampulse.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    final Retry retry = new Retry(4, Duration.ofMillis(1));

    static KubernetesClientException error(int code) {
        Status status = new StatusBuilder().withCode(code).withMessage("HTTP " + code).build();
        return new KubernetesClientException(status);
    }

    @Test
    void serverErrorsAndThrottlingAreRetried() {
        AtomicInteger calls = new AtomicInteger();
        String result =
                retry.call(
                        "patch",
                        () -> {
                            int n = calls.incrementAndGet();
                            if (n == 1) {
                                throw error(503);
                            }
                            if (n == 2) {
                                throw error(429);
                            }
                            return "done";
                        });
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(3);
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                retry.call(
                                        "patch",
                                        () -> {
                                            calls.incrementAndGet();
                                            throw error(500);
                                        }))
                .isInstanceOf(KubernetesClientException.class);
        assertThat(calls).hasValue(4);
    }

    @Test
    void clientErrorsFailAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                retry.call(
                                        "patch",
                                        () -> {
                                            calls.incrementAndGet();
                                            throw error(403);
                                        }))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("HTTP 403");
        assertThat(calls).hasValue(1);
    }
}
