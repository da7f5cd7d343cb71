package com.streampulse.job.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void everyReadOfANameReturnsTheOneStringKeptForIt() throws Exception {
        Names names = new Names();
        // More names than the table's first size holds, so it grows while they are read.
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            written.add("content_" + i);
        }
        written.add("ÉU-Zürich 📱");
        written.add("");
        List<String> first = readAll(names, written);
        List<String> second = readAll(names, written);

        assertThat(first).isEqualTo(written);
        assertThat(names.size()).isEqualTo(written.size());
        for (int i = 0; i < written.size(); i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
    }

    @Test
    void afterClearANameIsReadAsANewString() throws Exception {
        Names names = new Names();
        String before = readAll(names, List.of("EU")).get(0);

        names.clear();
        String after = readAll(names, List.of("EU")).get(0);

        assertThat(after).isEqualTo("EU").isNotSameAs(before);
        assertThat(names.size()).isOne();
    }

    private static List<String> readAll(Names names, List<String> strings) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (String s : strings) {
            SessionsSerializer.writeString(s, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<String> read = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            read.add(names.read(in));
        }
        assertThat(in.available()).isZero();
        return read;
    }
}
