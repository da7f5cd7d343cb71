package com.streampulse.generator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every record sent to a JSON-lines file that {@code --replay} reads back. */
public final class DumpSink implements RecordSink {

    private final Path path;
    private final BufferedWriter out;
    private final JsonLines json = new JsonLines();

    public DumpSink(Path path) {
        this.path = path;
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GeneratorException("Cannot write dump file " + path + ": " + e, e);
        }
    }

    @Override
    public void send(Outgoing record) {
        try {
            out.write(json.write(record));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write dump file " + path, e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write dump file " + path, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write dump file " + path, e);
        }
    }
}
