package com.streampulse.job.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.streampulse.job.TaskLogContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.junit.jupiter.api.Test;

/**
 * The chart's JSON log configuration (helm/streampulse/files/log4j-console-json.properties) with
 * log4j2's JSON template layout: a line logged on a task thread is one JSON object with the job,
 * operator and subtask the task's runtime context reports, the message and the stack trace.
 */
class JsonLogsTest {

    private static final Path CONFIG =
            Path.of("../helm/streampulse/files/log4j-console-json.properties");

    /** Logs from a task: sets the task's logging context, as the job's operators do. */
    static final class LoggingMap extends RichMapFunction<String, String> {
        static LoggerContext logs;
        static final List<RuntimeContext> contexts = new ArrayList<>();

        @Override
        public void open(OpenContext openContext) {
            TaskLogContext.set(getRuntimeContext());
            contexts.add(getRuntimeContext());
        }

        @Override
        public String map(String value) {
            logs.getLogger("com.streampulse.job.Example")
                    .warn("Wrote {} records", value, new IllegalStateException("disk full"));
            return value;
        }
    }

    @Test
    void aTaskThreadsLineIsOneJsonObjectWithJobOperatorAndSubtask() throws Exception {
        // The chart's file as it is, but the appender writes to a file instead of the console
        // (surefire owns the console): the layout, which is what is tested, stays the same.
        Path file = Files.createTempDirectory("json-logs").resolve("task.log");
        Properties config = new Properties();
        try (var in = Files.newInputStream(CONFIG)) {
            config.load(in);
        }
        assertThat(config.getProperty("appender.console.layout.type"))
                .isEqualTo("JsonTemplateLayout");
        config.setProperty("appender.console.type", "File");
        config.setProperty("appender.console.fileName", file.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        config.store(bytes, null);
        LoggerContext logs = new LoggerContext("json-logs-test");
        try {
            logs.start(
                    new PropertiesConfigurationFactory()
                            .getConfiguration(
                                    logs,
                                    new ConfigurationSource(
                                            new ByteArrayInputStream(bytes.toByteArray()))));
            LoggingMap.logs = logs;
            try (var harness =
                    new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new LoggingMap()))) {
                harness.open();
                harness.processElement("42", 0);
            }
        } finally {
            logs.stop();
        }

        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        RuntimeContext task = LoggingMap.contexts.get(0);
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("logger").asText()).isEqualTo("com.streampulse.job.Example");
        assertThat(line.path("message").asText()).isEqualTo("Wrote 42 records");
        assertThat(line.path("exception").asText())
                .startsWith("java.lang.IllegalStateException: disk full");
        assertThat(line.path("job").asText())
                .isEqualTo(task.getJobInfo().getJobName())
                .isNotBlank();
        assertThat(line.path("operator").asText())
                .isEqualTo(task.getTaskInfo().getTaskName())
                .isNotBlank();
        assertThat(line.path("subtask").asText())
                .isEqualTo(Integer.toString(task.getTaskInfo().getIndexOfThisSubtask()));
        assertThat(line.path("time").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }
}
