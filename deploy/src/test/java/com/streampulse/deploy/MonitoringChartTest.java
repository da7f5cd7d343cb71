package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.testkit.MonitoringTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's monitoring resources: PodMonitors and the PrometheusRule only where the Prometheus
 * Operator's CRDs are (or are declared to be), every rule with a severity and a runbook that
 * exists, the rules valid for the real {@code promtool} and each one fired and cleared by its unit
 * tests on crafted series; the alert sender only when an Alertmanager URL is set.
 */
class MonitoringChartTest {

    private static final Map<String, String> WITH_CRDS =
            Map.of(
                    "monitoring.crds", "true",
                    "alerting.alertmanagerUrl", "http://am:9093",
                    "monitoring.dashboards.enabled", "true");

    private static Project project;
    private static List<ObjectNode> rendered;

    @BeforeAll
    static void render() {
        project = Project.fromBuild();
        rendered = Manifests.parse(Charts.template(project, WITH_CRDS));
    }

    @Test
    void nothingOfThePrometheusOperatorIsRenderedWithoutItsCrds() {
        List<ObjectNode> defaults = Manifests.parse(Charts.template(project, ChartValues.DEFAULTS));

        assertThat(kinds(defaults)).doesNotContain("PodMonitor", "PrometheusRule");
        assertThat(Manifests.ofKind(defaults, "Deployment"))
                .extracting(Manifests::name)
                .containsExactly("streampulse-autoscaler");
    }

    @Test
    void podMonitorsScrapeTheJobManagerTaskManagersAndAutoscaler() {
        List<ObjectNode> monitors = Manifests.ofKind(rendered, "PodMonitor");

        assertThat(monitors)
                .extracting(m -> Manifests.name(m) + " " + m.at("/spec/selector/matchLabels"))
                .containsExactlyInAnyOrder(
                        "streampulse-jobmanager"
                                + " {\"app\":\"streampulse\",\"component\":\"jobmanager\"}",
                        "streampulse-taskmanager"
                                + " {\"app\":\"streampulse\",\"component\":\"taskmanager\"}",
                        "streampulse-autoscaler"
                                + " {\"app.kubernetes.io/name\":\"streampulse-autoscaler\","
                                + "\"app.kubernetes.io/instance\":\"streampulse\"}");
        assertThat(monitors)
                .extracting(m -> m.at("/spec/podMetricsEndpoints/0/port").asText())
                .containsExactlyInAnyOrder("metrics", "metrics", "http");
    }

    @Test
    void everyRuleHasASeverityAndARunbookThatExists() {
        List<JsonNode> rules = rules();

        assertThat(rules)
                .extracting(r -> r.path("alert").asText())
                .containsExactly(
                        "StreamPulseConsumerLagGrowing",
                        "StreamPulseNoEvents",
                        "StreamPulseWatermarkStalled",
                        "StreamPulseCheckpointsFailing",
                        "StreamPulseCheckpointsSlow",
                        "StreamPulseJobRestarting",
                        "StreamPulseSinkErrors",
                        "StreamPulseAutoscalerCannotAct");
        for (JsonNode rule : rules) {
            assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
            String runbook = rule.at("/annotations/runbook_url").asText();
            assertThat(runbook).startsWith("docs/runbooks/");
            assertThat(project.root().resolve(runbook)).isRegularFile();
        }
    }

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsFireAndClearEveryAlert(@TempDir Path dir)
            throws Exception {
        Path promtool = MonitoringTools.promtool();
        JsonNode spec = Manifests.single(rendered, "PrometheusRule").path("spec");
        Manifests.YAML.writeValue(dir.resolve("rules.yml").toFile(), spec);
        // Kept for a look (and `promtool test rules` by hand, README "Operate").
        Path rendered = Files.createDirectories(project.root().resolve("deploy/target/rendered"));
        Files.copy(
                dir.resolve("rules.yml"),
                rendered.resolve("prometheus-rules.yml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path tests = dir.resolve("rules-test.yml");
        Files.copy(
                project.root().resolve("deploy/src/test/resources/monitoring/rules-test.yml"),
                tests);

        assertThat(run(promtool.toString(), "check", "rules", dir.resolve("rules.yml").toString()))
                .contains("SUCCESS: 8 rules found");
        String output = run(promtool.toString(), "test", "rules", tests.toString());
        assertThat(output).contains("SUCCESS");
        // Every alert of the rule file is exercised by the unit tests.
        String testText = Files.readString(tests);
        for (JsonNode rule : rules()) {
            assertThat(testText).contains("alertname: " + rule.path("alert").asText());
        }
    }

    @Test
    void theAlertSenderRunsFromTheJobImageOnlyWithAnAlertmanagerUrl() {
        JsonNode sender =
                Manifests.ofKind(rendered, "Deployment").stream()
                        .filter(d -> Manifests.name(d).equals("streampulse-alert-sender"))
                        .findFirst()
                        .orElseThrow();
        JsonNode container = Manifests.containers(sender).get(0);

        assertThat(container.path("command").toString())
                .isEqualTo(
                        "[\"java\",\"-cp\",\"/opt/flink/usrlib/streampulse-job.jar\","
                                + "\"com.streampulse.job.alerting.AlertSenderMain\"]");
        assertThat(env(container))
                .contains(
                        "ALERTMANAGER_URL=http://am:9093", "ALERT_RUNBOOK_BASE_URL=docs/runbooks");
        assertThat(container.path("env").toString()).doesNotContain(ChartValues.PG_PASSWORD);
    }

    @Test
    void dashboardsAreConfigMapsForTheGrafanaSidecarWithThisInstallsNamesFilledIn()
            throws Exception {
        List<ObjectNode> maps = Manifests.ofKind(rendered, "ConfigMap");

        assertThat(maps)
                .extracting(Manifests::name)
                .contains("streampulse-dashboard-operations", "streampulse-dashboard-business");
        for (ObjectNode map : maps) {
            if (!Manifests.name(map).startsWith("streampulse-dashboard-")) {
                continue;
            }
            assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
            String json = map.path("data").elements().next().asText();
            assertThat(json)
                    .doesNotContain("__NAMESPACE__", "__PROMETHEUS_UID__", "__POSTGRES_UID__");
            assertThat(Manifests.YAML.readTree(json).path("panels")).isNotEmpty();
        }
        assertThat(kinds(Manifests.parse(Charts.template(project, ChartValues.DEFAULTS))))
                .doesNotContain("ConfigMap");
    }

    private static List<String> env(JsonNode container) {
        List<String> env = new ArrayList<>();
        for (JsonNode e : container.path("env")) {
            env.add(e.path("name").asText() + "=" + e.path("value").asText());
        }
        return env;
    }

    private static List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : Manifests.single(rendered, "PrometheusRule").at("/spec/groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    private static List<String> kinds(List<ObjectNode> documents) {
        return documents.stream().map(d -> d.path("kind").asText()).toList();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
