package com.streampulse.generator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Turns a valid encoding into bytes no Avro reader of the event schema accepts, the ways real
 * producers get it wrong: a record cut short, a record with bytes after it, and JSON where Avro was
 * expected. JSON starts with '{', which Avro reads as a negative string length.
 */
final class Corruption {

    private Corruption() {}

    static byte[] corrupt(byte[] valid, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
            case 1 -> {
                byte[] longer = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(8));
                for (int i = valid.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                yield longer;
            }
            default ->
                    ("{\"event_id\":\""
                                    + EventFactory.uuid(random)
                                    + "\",\"note\":\"json is not avro\"}")
                            .getBytes(StandardCharsets.UTF_8);
        };
    }
}
