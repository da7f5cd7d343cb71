package com.streampulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files a rendered container would see from its Secret volumes, written below a local directory
 * from stand-in Secret data, so a test can run the container's command with the paths its
 * environment names. Only what the manifest mounts appears: a path outside every mount, or a key
 * the volume does not project, stays missing, as it would in the pod.
 */
final class PodFiles {

    /** Container mount path to the local directory standing in for it. */
    private final Map<String, Path> mounts;

    private PodFiles(Map<String, Path> mounts) {
        this.mounts = mounts;
    }

    /**
     * @param podSpec the pod's spec (its volumes)
     * @param container the container (its volumeMounts)
     * @param secrets stand-in data: Secret name to its keys and values
     */
    static PodFiles of(
            JsonNode podSpec, JsonNode container, Map<String, Map<String, String>> secrets) {
        try {
            Path root = Files.createTempDirectory("pod-files");
            Map<String, Path> mounts = new LinkedHashMap<>();
            for (JsonNode mount : container.path("volumeMounts")) {
                JsonNode volume = volume(podSpec, mount.path("name").asText());
                if (!volume.has("secret")) {
                    continue;
                }
                Path dir = root.resolve("m" + mounts.size());
                Files.createDirectories(dir);
                Map<String, String> data =
                        secrets.getOrDefault(volume.at("/secret/secretName").asText(), Map.of());
                for (JsonNode item : volume.at("/secret/items")) {
                    String value = data.get(item.path("key").asText());
                    if (value != null) {
                        Files.writeString(dir.resolve(item.path("path").asText()), value);
                    }
                }
                mounts.put(mount.path("mountPath").asText(), dir);
            }
            return new PodFiles(mounts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode volume(JsonNode podSpec, String name) {
        for (JsonNode volume : podSpec.path("volumes")) {
            if (name.equals(volume.path("name").asText())) {
                return volume;
            }
        }
        throw new AssertionError("volumeMount " + name + " has no volume");
    }

    /** {@code value} with a leading mount path replaced by its local directory. */
    String resolve(String value) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            if (value.startsWith(mount.getKey() + "/")) {
                return mount.getValue() + value.substring(mount.getKey().length());
            }
        }
        return value;
    }
}
