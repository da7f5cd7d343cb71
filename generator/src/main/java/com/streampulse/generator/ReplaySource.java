package com.streampulse.generator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Reads records back from a JSON-lines file ({@link JsonLines}); blank lines are skipped. */
public final class ReplaySource implements Iterator<Outgoing>, AutoCloseable {

    private final Path path;
    private final BufferedReader in;
    private final JsonLines json;
    private Outgoing next;
    private long lineNumber;

    public ReplaySource(Path path) {
        this(path, new AvroCodec());
    }

    /** Events are sent in {@code codec}'s wire format; raw records as they are. */
    public ReplaySource(Path path, AvroCodec codec) {
        this.path = path;
        this.json = new JsonLines(codec);
        try {
            this.in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new GeneratorException("Replay file " + path + " does not exist");
        } catch (IOException e) {
            throw new GeneratorException("Cannot read replay file " + path + ": " + e, e);
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (!line.isBlank()) {
                    next = parse(line);
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read replay file " + path, e);
        }
    }

    private Outgoing parse(String line) {
        try {
            return json.read(line);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new GeneratorException(path + " line " + lineNumber + ": " + e.getMessage());
        }
    }

    @Override
    public Outgoing next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Outgoing result = next;
        next = null;
        return result;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
