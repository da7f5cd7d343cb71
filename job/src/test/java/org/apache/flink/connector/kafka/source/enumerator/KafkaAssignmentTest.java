package org.apache.flink.connector.kafka.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.time.KafkaAssignment;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Event time relies on knowing which reader the Kafka source gives each partition. In the
 * connector's own package, so it can ask the connector's (package-private) rule directly.
 */
class KafkaAssignmentTest {

    @Test
    void matchesTheConnectorsOwnAssignment() {
        for (String topic : List.of("content-downloads", "downloads-1", "x", "Ü-topic")) {
            for (int readers = 1; readers <= 12; readers++) {
                for (int partition = 0; partition < 64; partition++) {
                    assertThat(KafkaAssignment.reader(topic, partition, readers))
                            .as("%s-%d over %d readers", topic, partition, readers)
                            .isEqualTo(
                                    KafkaSourceEnumerator.getSplitOwner(
                                            new TopicPartition(topic, partition), readers));
                }
            }
        }
    }
}
