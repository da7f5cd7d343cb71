package com.streampulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void printsAsAMaskButKeepsItsValue() {
        Secret s = new Secret("hunter2");

        assertThat(s.isPresent()).isTrue();
        assertThat(s.value()).isEqualTo("hunter2");
        assertThat(s).hasToString("******");
        assertThat("password=" + s).doesNotContain("hunter2");
    }

    @Test
    void absentSecretSaysSo() {
        assertThat(new Secret(null).isPresent()).isFalse();
        assertThat(new Secret("").isPresent()).isFalse();
        assertThat(new Secret(null)).hasToString("(not set)");
        assertThat(new Secret("")).hasToString("(not set)");
    }

    @Test
    void recordsHoldingASecretDoNotPrintIt() {
        record Holder(String user, Secret password) {}

        assertThat(new Holder("u", new Secret("hunter2")).toString())
                .isEqualTo("Holder[user=u, password=******]");
    }
}
