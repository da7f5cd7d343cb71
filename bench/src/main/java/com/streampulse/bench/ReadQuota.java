package com.streampulse.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;

/**
 * Paces the job's Kafka readers with the broker's own consumer quota ({@code consumer_byte_rate})
 * on their client ids: the broker delays its fetch responses so that each reader gets at most its
 * share of the bytes per second. Nothing in the job changes; it reads as it would from a topic fed
 * at that rate. The job's Kafka source names its readers' clients {@code <group id>-<subtask>}.
 *
 * <p>The broker measures a client's rate over {@code quota.window.num} windows of {@code
 * quota.window.size.seconds} ({@link Infrastructure} sets 2 of 1 s), so a reader that fetched
 * nothing for a while may read up to about a second's worth at once: the pacing error the latency
 * report prints. The latency benchmark resets the quota every 200 ms to keep the reads on their
 * schedule ({@link LatencyBench#catchUp}).
 */
final class ReadQuota implements AutoCloseable {

    static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";

    private final Admin admin;
    private final List<String> clientIds;

    ReadQuota(Properties adminProperties, String clientIdPrefix, int readers) {
        this.admin = Admin.create(adminProperties);
        this.clientIds =
                IntStream.range(0, readers).mapToObj(i -> clientIdPrefix + "-" + i).toList();
    }

    /** All readers together get {@code bytesPerSecond}, in equal shares (their partitions are). */
    void set(double bytesPerSecond) throws ExecutionException, InterruptedException {
        // The broker takes whole bytes only.
        alter((double) Math.max(1, Math.round(bytesPerSecond / clientIds.size())));
    }

    /** Removes the quotas. */
    @Override
    public void close() throws ExecutionException, InterruptedException {
        try {
            alter(null);
        } finally {
            admin.close();
        }
    }

    private void alter(Double perReader) throws ExecutionException, InterruptedException {
        admin.alterClientQuotas(
                        clientIds.stream()
                                .map(
                                        id ->
                                                new ClientQuotaAlteration(
                                                        new ClientQuotaEntity(
                                                                Map.of(
                                                                        ClientQuotaEntity.CLIENT_ID,
                                                                        id)),
                                                        List.of(
                                                                new ClientQuotaAlteration.Op(
                                                                        CONSUMER_BYTE_RATE,
                                                                        perReader))))
                                .toList())
                .all()
                .get();
    }
}
