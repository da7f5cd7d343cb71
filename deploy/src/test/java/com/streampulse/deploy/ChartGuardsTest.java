package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values that would render fine but fail or lose state on the cluster are refused by the chart
 * itself (templates/_guards.tpl) with one line naming the value; the safe neighbour of each still
 * renders, so no guard is broader than its reason.
 */
class ChartGuardsTest {

    private static Project project;

    @BeforeAll
    static void project() {
        project = Project.fromBuild();
    }

    private static String render(Map<String, String> values) {
        return Charts.template(project, values);
    }

    private static Map<String, String> objectStorage(String uri) {
        return Map.of(
                "checkpoints.storageUri", uri, "checkpoints.persistentVolume.enabled", "false");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> values = new HashMap<>(base);
        values.put(key, value);
        return values;
    }

    @Test
    void fileStorageWithoutTheVolumeIsRefused() {
        assertThatThrownBy(() -> render(Map.of("checkpoints.persistentVolume.enabled", "false")))
                .hasMessageContaining(
                        "checkpoints.storageUri \"file:///flink-data\" is on the pod's own disk"
                                + " without checkpoints.persistentVolume.enabled");
    }

    @Test
    void fileStorageOutsideTheMountIsRefused() {
        assertThatThrownBy(() -> render(Map.of("checkpoints.storageUri", "file:///tmp/state")))
                .hasMessageContaining("is outside the volume mounted at /flink-data");
        assertThat(render(Map.of("checkpoints.storageUri", "file:///flink-data/prod")))
                .contains("state.checkpoints.dir: \"file:///flink-data/prod/checkpoints\"");
    }

    @Test
    void aVolumeOnlyOnePodMayMountIsRefused() {
        assertThatThrownBy(
                        () ->
                                render(
                                        Map.of(
                                                "checkpoints.persistentVolume.accessMode",
                                                "ReadWriteOncePod")))
                .hasMessageContaining("ReadWriteOncePod cannot work");
    }

    @Test
    void objectStorageWithoutItsPluginIsRefused() {
        Map<String, String> expected =
                Map.of(
                        "s3://bucket/sp", "flink-s3-fs-*",
                        "s3p://bucket/sp", "flink-s3-fs-presto*",
                        "gs://bucket/sp", "flink-gs-fs-hadoop*",
                        "abfss://c@account.dfs.core.windows.net/sp", "flink-azure-fs-hadoop*");
        expected.forEach(
                (uri, plugin) ->
                        assertThatThrownBy(() -> render(objectStorage(uri)))
                                .hasMessageContaining(
                                        "checkpoints.storageUri \""
                                                + uri
                                                + "\" needs Flink's "
                                                + plugin
                                                + " filesystem plugin"));
    }

    @Test
    void objectStorageWithItsPluginRenders() {
        String yaml =
                render(
                        with(
                                objectStorage("gs://bucket/sp"),
                                "job.extraEnv.ENABLE_BUILT_IN_PLUGINS",
                                "flink-gs-fs-hadoop-1.20.3.jar"));
        JsonNode flink = Manifests.single(Manifests.parse(yaml), "FlinkDeployment");

        assertThat(flink.at("/spec/flinkConfiguration/state.checkpoints.dir").asText())
                .isEqualTo("gs://bucket/sp/checkpoints");
        assertThat(yaml).doesNotContain("PersistentVolumeClaim");
    }

    @Test
    void anUnknownStorageSchemeIsRefused() {
        assertThatThrownBy(() -> render(objectStorage("ftp://host/sp")))
                .hasMessageContaining("checkpoints.storageUri scheme \"ftp\" is not supported");
    }

    @Test
    void aNameTheOperatorWouldRefuseIsRefused() {
        String fortySix = "streampulse-" + "x".repeat(34);
        assertThat(fortySix).hasSize(46);
        assertThatThrownBy(() -> render(Map.of("fullnameOverride", fortySix)))
                .hasMessageContaining(
                        "FlinkDeployment name \""
                                + fortySix
                                + "\" is refused by the Flink operator: at most 45 characters");
        assertThatThrownBy(() -> render(Map.of("fullnameOverride", "9streampulse")))
                .hasMessageContaining("is refused by the Flink operator");

        String fortyFive = fortySix.substring(1);
        JsonNode flink =
                Manifests.single(
                        Manifests.parse(render(Map.of("fullnameOverride", fortyFive))),
                        "FlinkDeployment");
        assertThat(Manifests.name(flink)).isEqualTo(fortyFive);
    }

    @Test
    void secretLookingFlinkConfigurationKeysAreRefused() {
        for (String key :
                new String[] {
                    "s3.secret-key",
                    "s3.access-key",
                    "fs.s3a.access.key",
                    "security.ssl.rest.keystore-password",
                    "fs.azure.account.key.acct.blob.core.windows.net",
                    "gs.auth.token"
                }) {
            String escaped = key.replace(".", "\\.");
            assertThatThrownBy(() -> render(Map.of("job.flinkConfiguration." + escaped, "x")))
                    .as(key)
                    .hasMessageContaining(
                            "job.flinkConfiguration key \""
                                    + key
                                    + "\" looks like a credential and would be stored in plain"
                                    + " text");
        }
        assertThat(render(Map.of("job.flinkConfiguration.state\\.backend\\.incremental", "false")))
                .contains("state.backend.incremental: \"false\"");
    }

    @Test
    void verifyingPostgresWithoutACaIsRefused() {
        for (String mode : new String[] {"verify-ca", "verify-full"}) {
            assertThatThrownBy(() -> render(Map.of("postgres.sslMode", mode)))
                    .hasMessageContaining(
                            "postgres.sslMode " + mode + " needs postgres.tls.caSecret");
        }
        assertThat(render(Map.of("postgres.sslMode", "require"))).doesNotContain("PG_SSLROOTCERT");
    }

    @Test
    void initialSavepointPathReachesTheJobSpec() {
        String path = "file:///flink-data/checkpoints/0123456789abcdef0123456789abcdef/chk-7";
        JsonNode job =
                Manifests.single(
                                Manifests.parse(render(Map.of("job.initialSavepointPath", path))),
                                "FlinkDeployment")
                        .at("/spec/job");
        assertThat(job.path("initialSavepointPath").asText()).isEqualTo(path);

        JsonNode byDefault =
                Manifests.single(Manifests.parse(render(Map.of())), "FlinkDeployment")
                        .at("/spec/job");
        assertThat(byDefault.has("initialSavepointPath")).isFalse();
    }

    /** The kept volume holds the checkpoints; resuming from them takes initialSavepointPath. */
    @Test
    void theKeptVolumeDoesNotPromiseARestoreByItself() throws Exception {
        String pvc = Files.readString(project.chart().resolve("templates/pvc.yaml"));
        assertThat(pvc)
                .doesNotContain("the next install restores from it")
                .contains("job.initialSavepointPath");
    }
}
