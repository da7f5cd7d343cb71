package com.streampulse.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.events.Content;
import com.streampulse.events.ContentDownloadEvent;
import com.streampulse.events.Download;
import com.streampulse.events.UserContext;
import com.streampulse.generator.Outgoing.Kind;
import java.time.Instant;
import java.util.Base64;

/**
 * The dump and replay format: one JSON object per line, with the Avro field names nested as in the
 * schema ({@code {"event_id": ..., "timestamp": <epoch ms>, "content": {...}, ...}}). A record that
 * is not an event is written as {@code {"key": "EU-Paris", "raw_base64": "..."}} and replayed as
 * those exact bytes.
 */
public final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AvroCodec codec;

    /** Replays events as plain binary. */
    public JsonLines() {
        this(new AvroCodec());
    }

    /** Replays events in {@code codec}'s wire format. */
    public JsonLines(AvroCodec codec) {
        this.codec = codec;
    }

    public String write(Outgoing record) {
        ObjectNode root = JSON.createObjectNode();
        if (record.event() == null) {
            if (record.key() != null) {
                root.put("key", record.key());
            }
            root.put("raw_base64", Base64.getEncoder().encodeToString(record.value()));
            return root.toString();
        }
        ContentDownloadEvent e = record.event();
        root.put("event_id", e.getEventId());
        root.put("timestamp", e.getTimestamp().toEpochMilli());
        root.put("user_id", e.getUserId());
        Content c = e.getContent();
        ObjectNode content = root.putObject("content");
        content.put("content_id", c.getContentId());
        content.put("title", c.getTitle());
        content.put("type", c.getType());
        content.put("category", c.getCategory());
        content.put("size_mb", c.getSizeMb());
        content.put("price", c.getPrice());
        Download d = e.getDownload();
        ObjectNode download = root.putObject("download");
        download.put("status", d.getStatus());
        download.put("duration_seconds", d.getDurationSeconds());
        download.put("speed_mbps", d.getSpeedMbps());
        download.put("error_code", d.getErrorCode());
        download.put("error_message", d.getErrorMessage());
        UserContext u = e.getUserContext();
        ObjectNode context = root.putObject("user_context");
        context.put("region", u.getRegion());
        context.put("city", u.getCity());
        context.put("device", u.getDevice());
        context.put("os_version", u.getOsVersion());
        context.put("connection_type", u.getConnectionType());
        return root.toString();
    }

    /**
     * Parses one line. Events are re-encoded, so a dump replays to the bytes that were sent; the
     * kind of a replayed event is VALID (the job, not the file, decides what is invalid).
     *
     * @throws IllegalArgumentException naming the missing or mistyped field
     */
    public Outgoing read(String line) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        if (root.has("raw_base64")) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(root.get("raw_base64").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("raw_base64 is not base64: " + e.getMessage());
            }
            String key = root.hasNonNull("key") ? root.get("key").asText() : null;
            return new Outgoing(key, raw, null, Kind.MALFORMED);
        }
        JsonNode content = object(root, "content");
        JsonNode download = object(root, "download");
        JsonNode context = object(root, "user_context");
        ContentDownloadEvent event =
                new ContentDownloadEvent(
                        text(root, "event_id"),
                        Instant.ofEpochMilli(whole(root, "timestamp")),
                        text(root, "user_id"),
                        new Content(
                                text(content, "content_id"),
                                text(content, "title"),
                                text(content, "type"),
                                text(content, "category"),
                                Math.toIntExact(whole(content, "size_mb")),
                                decimal(content, "price")),
                        new Download(
                                text(download, "status"),
                                Math.toIntExact(whole(download, "duration_seconds")),
                                decimal(download, "speed_mbps"),
                                optionalText(download, "error_code"),
                                optionalText(download, "error_message")),
                        new UserContext(
                                text(context, "region"),
                                text(context, "city"),
                                text(context, "device"),
                                text(context, "os_version"),
                                text(context, "connection_type")));
        return new Outgoing(
                event.getUserContext().getRegion(), codec.encode(event), event, Kind.VALID);
    }

    private static JsonNode field(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("missing field '" + name + "'");
        }
        return node;
    }

    private static JsonNode object(JsonNode parent, String name) {
        JsonNode node = field(parent, name);
        if (!node.isObject()) {
            throw new IllegalArgumentException("'" + name + "' must be an object");
        }
        return node;
    }

    private static String text(JsonNode parent, String name) {
        JsonNode node = field(parent, name);
        if (!node.isTextual()) {
            throw new IllegalArgumentException("'" + name + "' must be a string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        return node == null || node.isNull() ? null : text(parent, name);
    }

    private static long whole(JsonNode parent, String name) {
        JsonNode node = field(parent, name);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IllegalArgumentException("'" + name + "' must be a whole number");
        }
        return node.asLong();
    }

    /** Floats go through their shortest decimal text, so they round-trip bit for bit. */
    private static float decimal(JsonNode parent, String name) {
        JsonNode node = field(parent, name);
        if (!node.isNumber()) {
            throw new IllegalArgumentException("'" + name + "' must be a number");
        }
        return Float.parseFloat(node.asText());
    }
}
