package com.streampulse.autoscaler;

import com.streampulse.autoscaler.collect.FlinkCapacityWindow;
import com.streampulse.autoscaler.collect.LagCollector.CollectException;
import com.streampulse.autoscaler.collect.LagSource;
import com.streampulse.autoscaler.collect.RateWindow;
import com.streampulse.autoscaler.config.AutoscalerConfig;
import com.streampulse.autoscaler.decide.Decider;
import com.streampulse.autoscaler.decide.Decision;
import com.streampulse.autoscaler.decide.DeploymentView;
import com.streampulse.autoscaler.decide.Learned;
import com.streampulse.autoscaler.decide.Memory;
import com.streampulse.autoscaler.decide.Observation;
import com.streampulse.autoscaler.kube.Deployment;
import com.streampulse.autoscaler.kube.Deployments;
import com.streampulse.autoscaler.kube.JobManagerClient;
import com.streampulse.autoscaler.kube.Realizer;
import com.streampulse.autoscaler.kube.Retry;
import com.streampulse.autoscaler.kube.Target;
import com.streampulse.config.ConfigException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of Collect → Decide → Realize over every opted-in FlinkDeployment of the namespace.
 * Holds the per-deployment rate windows and decision memory between rounds. Not thread-safe: one
 * scheduler thread calls {@link #runOnce()}.
 */
public final class Controller {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    /** Per deployment, between rounds. */
    private static final class State {
        final RateWindow window;
        final FlinkCapacityWindow flink;
        Memory memory = Memory.EMPTY;
        int parallelism = -1;
        boolean skipping;
        boolean refusedStateless;
        String collectError;
        String jobManagerError;
        String source;

        /** What is on the resource's learned annotation. */
        Learned written;

        /** Since when the job has not been running; null while it runs. */
        Instant stoppedAt;

        /** That stop was our own rescale, so its length is a rescale's downtime. */
        boolean stoppedByUs;

        State(Duration span, Learned learned) {
            window = new RateWindow(span);
            flink = new FlinkCapacityWindow(span);
            written = learned;
            memory = Memory.from(learned);
        }
    }

    private final AutoscalerConfig config;
    private final Deployments deployments;
    private final LagSource collector;
    private final Decider decider;
    private final Realizer realizer;
    private final JobManagerClient jobManager;
    private final Metrics metrics;
    private final Clock clock;
    private final Map<String, State> states = new HashMap<>();

    /**
     * Public for the closed loop on real Flink (autoscaler/loop), which lives in a module of its
     * own.
     */
    public Controller(
            AutoscalerConfig config,
            KubernetesClient client,
            LagSource lagSource,
            JobManagerClient jobManager,
            Retry retry,
            Metrics metrics,
            Clock clock) {
        this.config = config;
        this.deployments = new Deployments(client, config.namespace());
        this.collector = lagSource;
        this.decider =
                new Decider(
                        config.interval().multipliedBy(3),
                        config.rateWindow().dividedBy(2),
                        config.rateWindow().multipliedBy(2));
        this.realizer =
                new Realizer(
                        client,
                        config.mode(),
                        config.dryRun(),
                        jobManager,
                        retry,
                        config.podName());
        this.jobManager = jobManager;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** One round. Failures of one deployment are logged and do not stop the others. */
    public void runOnce() {
        Set<String> seen = new HashSet<>();
        for (Deployment deployment : deployments.list()) {
            if (!deployment.optedIn()) {
                continue;
            }
            seen.add(deployment.key());
            try {
                handle(deployment);
            } catch (RuntimeException e) {
                metrics.error();
                LOG.error("Round for {} failed: {}", deployment.key(), e.toString());
            }
        }
        states.keySet()
                .removeIf(
                        key -> {
                            if (seen.contains(key)) {
                                return false;
                            }
                            int slash = key.indexOf('/');
                            metrics.forget(key.substring(0, slash), key.substring(slash + 1));
                            return true;
                        });
    }

    private void handle(Deployment deployment) {
        State state =
                states.computeIfAbsent(
                        deployment.key(),
                        k -> new State(config.rateWindow(), deployment.learned()));
        Instant now = clock.instant();
        if (refusesStatelessUpgrades(deployment, state, now)) {
            return;
        }
        DeploymentView view = fromRunningJob(deployment, deployment.view(), state, now);
        Target target;
        try {
            target = Target.resolve(config, deployment.annotations());
        } catch (ConfigException e) {
            Decision bad =
                    new Decision(
                            Decision.Kind.SKIP,
                            view.parallelism(),
                            view.parallelism(),
                            0,
                            "bad annotation: " + e.getMessage(),
                            now,
                            state.memory);
            finish(deployment, state, null, bad);
            return;
        }
        observeRestart(view, state, now);
        String source = target.groupId() + "@" + target.topic();
        if (!view.stableAndRunning()
                || state.parallelism != view.parallelism()
                || !source.equals(state.source)) {
            // A restart, a new parallelism or another topic: earlier rates no longer apply.
            state.window.reset();
            state.parallelism = view.parallelism();
            state.source = source;
            state.collectError = null;
        }
        if (view.stableAndRunning()) {
            try {
                state.window.add(collector.read(target.groupId(), target.topic()));
                state.collectError = null;
            } catch (CollectException e) {
                metrics.error();
                state.collectError = e.getMessage();
                LOG.warn("{}: {}", deployment.key(), e.getMessage());
            }
        }
        Observation obs = state.window.observe();
        Decision decision = decider.decide(obs, view, target.policy(), state.memory, now);
        if (decision.kind() == Decision.Kind.SKIP && state.collectError != null) {
            // Say why the offsets are missing or stale.
            decision =
                    new Decision(
                            decision.kind(),
                            decision.from(),
                            decision.to(),
                            decision.desired(),
                            decision.reason() + "; " + state.collectError,
                            decision.time(),
                            decision.memory());
        }
        finish(deployment, state, obs, decision);
    }

    /**
     * The parallelism the job actually runs at, from the JobManager (the spec may not be applied
     * yet, or the adaptive scheduler got fewer slots than asked), and Flink's own view of the
     * source over the rate window ({@link FlinkCapacityWindow}): records in per second of busy time
     * and the share of time it waited for input. The spec's view when the JobManager cannot be
     * read; that is logged once per cause. The source's counters are missing for a moment after
     * every start; their figures are then unknown (NaN).
     */
    private DeploymentView fromRunningJob(
            Deployment deployment, DeploymentView view, State state, Instant now) {
        String jobId = deployment.jobId();
        if (!view.stableAndRunning() || jobId == null) {
            state.flink.reset();
            return view;
        }
        String url = deployment.jobManagerUrl();
        JobManagerClient.RunningJob job;
        try {
            job = jobManager.runningJob(url, jobId);
            state.jobManagerError = null;
        } catch (JobManagerClient.JobManagerException e) {
            if (!e.getMessage().equals(state.jobManagerError)) {
                LOG.info(
                        "{}: running job not read, using the spec's parallelism: {}",
                        deployment.key(),
                        e.getMessage());
                state.jobManagerError = e.getMessage();
            }
            state.flink.reset();
            return view;
        }
        JobManagerClient.Vertex source = job.source();
        try {
            state.flink.add(
                    jobId,
                    source.parallelism(),
                    now,
                    jobManager.sourceCounters(url, jobId, source.id()));
        } catch (JobManagerClient.JobManagerException e) {
            LOG.debug("{}: {}", deployment.key(), e.getMessage());
            state.flink.reset();
        }
        return new DeploymentView(
                true,
                view.state(),
                job.parallelism() > 0 ? job.parallelism() : view.parallelism(),
                view.lastRescale(),
                state.flink.capacityPerInstance(),
                state.flink.idleShare());
    }

    /**
     * Times the job's stops: when it runs again the cooldown starts, and a stop that our own
     * rescale caused (the change came after the job last ran again) measures the rescale's downtime
     * for this deployment.
     */
    private static void observeRestart(DeploymentView view, State state, Instant now) {
        Memory memory = state.memory;
        if (!view.stableAndRunning()) {
            if (state.stoppedAt == null) {
                Instant change = memory.lastChange();
                state.stoppedByUs =
                        change != null
                                && (memory.runningAgain() == null
                                        || change.isAfter(memory.runningAgain()));
                state.stoppedAt = state.stoppedByUs ? change : now;
            }
        } else if (state.stoppedAt != null) {
            Duration downtime = state.stoppedByUs ? Duration.between(state.stoppedAt, now) : null;
            state.memory = memory.ranAgain(now, downtime);
            state.stoppedAt = null;
        }
    }

    /**
     * A deployment whose upgrade mode is stateless is never rescaled: in either mode the operator
     * may restart the job for it, and a stateless restart resumes at the committed offsets and
     * overwrites complete result rows with partial sums. No patch, no offsets read; a Warning Event
     * and a log line when the refusal starts, a skip counted every round.
     */
    private boolean refusesStatelessUpgrades(Deployment deployment, State state, Instant now) {
        if (!deployment.upgradesWithoutState()) {
            state.refusedStateless = false;
            return false;
        }
        int parallelism = deployment.parallelism();
        String reason =
                "not rescaling: spec.job.upgradeMode is stateless, so a rescale would restart the"
                        + " job without its state and overwrite its results with partial sums;"
                        + " set upgradeMode to last-state or savepoint";
        metrics.record(
                deployment.namespace(),
                deployment.name(),
                null,
                new Decision(
                        Decision.Kind.SKIP,
                        parallelism,
                        parallelism,
                        0,
                        reason,
                        now,
                        state.memory));
        // Rates from before do not describe the job that runs once the mode is changed.
        state.window.reset();
        state.source = null;
        if (!state.refusedStateless) {
            realizer.refuse(deployment, "RescaleRefused", reason, now);
            state.refusedStateless = true;
        }
        return true;
    }

    private void finish(Deployment deployment, State state, Observation obs, Decision decision) {
        metrics.record(deployment.namespace(), deployment.name(), obs, decision);
        // Annotation and Event on every change of parallelism and whenever the controller starts
        // or stops skipping the deployment; holds are only logged and counted, so the Events of a
        // deployment tell its story without a heartbeat.
        boolean skipping = decision.kind() == Decision.Kind.SKIP;
        boolean report = decision.changesParallelism() || skipping != state.skipping;
        if (report) {
            // Throws when the patch fails: the memory is then not advanced, so the next round
            // decides again instead of believing the change happened.
            realizer.apply(deployment, decision);
        } else {
            LOG.debug("{}: {}", deployment.key(), decision.summary());
        }
        state.skipping = skipping;
        state.memory = decision.memory();
        Learned learned = state.memory.learned();
        if (learned.differsFrom(state.written)) {
            realizer.persist(deployment, learned);
            state.written = learned;
        }
    }
}
