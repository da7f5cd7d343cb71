package com.streampulse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average, printed next to every figure: other work shares these cores. */
final class Load {

    private Load() {}

    static String describe() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.format(
                    "load average %s %s %s on %d cores",
                    f[0], f[1], f[2], Runtime.getRuntime().availableProcessors());
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }
}
