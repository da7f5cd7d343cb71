package com.streampulse.autoscaler;

import com.streampulse.autoscaler.collect.LagCollector;
import com.streampulse.autoscaler.collect.LagSource;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Retry;
import com.streampulse.config.ConfigException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running controller: HTTP endpoints, leader election on a Lease, and a round every interval
 * while this instance leads. {@link #start()} and {@link #stop()} are safe to call twice.
 */
public final class Autoscaler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

    /** How long a Lease holds, is renewed and is retried; fabric8's usual proportions. */
    record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        static final LeaseTiming DEFAULT =
                new LeaseTiming(
                        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    private final AutoscalerConfig config;
    private final KubernetesClient client;
    private final Controller controller;
    private final Metrics metrics = new Metrics();
    private final LeaseTiming leaseTiming;
    private final Clock clock;

    private ScheduledExecutorService scheduler;
    private CompletableFuture<?> election;
    private HttpEndpoints http;
    private volatile boolean leading;
    private volatile Instant lastTick;
    private volatile boolean started;

    Autoscaler(
            AutoscalerConfig config,
            KubernetesClient client,
            LagSource lagSource,
            JobManagerClient jobManager,
            Retry retry,
            LeaseTiming leaseTiming,
            Clock clock) {
        this.config = config;
        this.client = client;
        this.leaseTiming = leaseTiming;
        this.clock = clock;
        this.controller =
                new Controller(config, client, lagSource, jobManager, retry, metrics, clock);
    }

    /** Reads the environment, starts, and blocks until the JVM is asked to stop. */
    static void run(String[] args) {
        AutoscalerConfig config;
        try {
            config = AutoscalerConfig.fromEnvironment(args);
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info(config.describe());
        KubernetesClient client = new KubernetesClientBuilder().build();
        Properties adminProperties = config.kafka().clientProperties();
        adminProperties.setProperty("client.id", "streampulse-autoscaler");
        Admin admin = Admin.create(adminProperties);
        Autoscaler autoscaler =
                new Autoscaler(
                        config,
                        client,
                        new LagCollector(admin, Clock.systemUTC()),
                        new JobManagerClient(),
                        new Retry(5, Duration.ofMillis(500)),
                        LeaseTiming.DEFAULT,
                        Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    autoscaler.close();
                                    admin.close(Duration.ofSeconds(5));
                                    client.close();
                                    stopped.countDown();
                                }));
        autoscaler.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        lastTick = clock.instant();
        try {
            http =
                    new HttpEndpoints(
                            config.httpPort(), this::healthy, () -> started, metrics::render);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serve HTTP on port " + config.httpPort(), e);
        }
        scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "autoscaler-loop");
                            t.setDaemon(true);
                            return t;
                        });
        scheduler.scheduleWithFixedDelay(
                this::tick, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        elect();
        LOG.info("Started as {}, HTTP on port {}", config.podName(), http.port());
    }

    /**
     * Stands for leader. fabric8's elector ends once leadership is lost (or the API server could
     * not be reached while renewing); a controller that is still running stands again.
     */
    private synchronized void elect() {
        if (!started) {
            return;
        }
        CompletableFuture<?> future =
                client.leaderElector().withConfig(electionConfig()).build().start();
        election = future;
        future.whenComplete(
                (result, error) -> {
                    synchronized (this) {
                        if (started && election == future) {
                            LOG.warn(
                                    "Leader election ended ({}), standing again",
                                    error == null ? "lease lost" : error.toString());
                            scheduler.schedule(
                                    this::elect,
                                    leaseTiming.retryPeriod().toMillis(),
                                    TimeUnit.MILLISECONDS);
                        }
                    }
                });
    }

    private LeaderElectionConfig electionConfig() {
        return new LeaderElectionConfigBuilder()
                .withName(config.leaseName())
                .withLock(new LeaseLock(config.namespace(), config.leaseName(), config.podName()))
                .withLeaseDuration(leaseTiming.leaseDuration())
                .withRenewDeadline(leaseTiming.renewDeadline())
                .withRetryPeriod(leaseTiming.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(
                        new LeaderCallbacks(
                                () -> setLeading(true),
                                () -> setLeading(false),
                                leader -> LOG.info("Leader is now {}", leader)))
                .build();
    }

    private void setLeading(boolean value) {
        leading = value;
        metrics.leader(value);
        LOG.info(value ? "Leading: acting on deployments" : "Not leading: standing by");
    }

    private void tick() {
        lastTick = clock.instant();
        if (!leading) {
            return;
        }
        try {
            controller.runOnce();
        } catch (RuntimeException e) {
            metrics.error();
            LOG.error("Round failed: {}", e.toString());
        }
    }

    /** Alive while the loop has ticked recently (a stuck round fails the liveness probe). */
    private boolean healthy() {
        Duration limit = config.interval().multipliedBy(4).plusSeconds(60);
        return started && Duration.between(lastTick, clock.instant()).compareTo(limit) < 0;
    }

    public boolean isLeading() {
        return leading;
    }

    int httpPort() {
        return http.port();
    }

    Metrics metrics() {
        return metrics;
    }

    public void stop() {
        CompletableFuture<?> runningElection;
        ScheduledExecutorService loop;
        HttpEndpoints endpoints;
        synchronized (this) {
            if (!started) {
                return;
            }
            started = false;
            runningElection = election;
            loop = scheduler;
            endpoints = http;
        }
        // Outside the lock: the election's completion callback and a pending elect() take it.
        if (runningElection != null) {
            runningElection.cancel(true); // releases the Lease (releaseOnCancel)
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoints.close();
        leading = false;
        metrics.leader(false);
    }

    @Override
    public void close() {
        stop();
    }
}
