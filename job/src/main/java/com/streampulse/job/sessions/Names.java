package com.streampulse.job.sessions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;

/**
 * One string per name (region, device) read from the partials' bytes, looked up by those bytes:
 * every download arrives with its own copy of each name, and decoding each into a string of its
 * own, then finding the one kept, cost strings and hash lookups a download before anything was
 * joined. An open-addressing table of UTF-8 keys.
 */
final class Names {

    private byte[][] keys = new byte[1 << 12][];
    private String[] values = new String[1 << 12];
    private int size;
    private byte[] scratch = new byte[64];

    /** Reads a name as {@link SessionsSerializer#writeString} wrote it; returns the one kept. */
    String read(DataInputView in) throws IOException {
        int length = (int) SessionsSerializer.readVarLong(in);
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, 2 * scratch.length)];
        }
        in.readFully(scratch, 0, length);
        int mask = keys.length - 1;
        for (int slot = hash(scratch, length) & mask; ; slot = (slot + 1) & mask) {
            byte[] key = keys[slot];
            if (key == null) {
                String name = new String(scratch, 0, length, StandardCharsets.UTF_8);
                keys[slot] = Arrays.copyOf(scratch, length);
                values[slot] = name;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return name;
            }
            if (Arrays.equals(key, 0, key.length, scratch, 0, length)) {
                return values[slot];
            }
        }
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        size = 0;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        String[] oldValues = values;
        keys = new byte[oldKeys.length * 2][];
        values = new String[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                int slot = hash(oldKeys[i], oldKeys[i].length) & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
            }
        }
    }

    private static int hash(byte[] bytes, int length) {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        int mixed = h * 0x9E3779B9;
        return mixed ^ (mixed >>> 16);
    }
}
