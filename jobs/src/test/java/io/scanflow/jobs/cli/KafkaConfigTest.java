package io.scanflow.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The config file's kafka section: client properties for input and output topics. */
class KafkaConfigTest {
    @TempDir
    Path dir;

    CommandSpec parsed(String yaml) throws Exception {
        Path config = Files.writeString(dir.resolve("scanflow.yaml"), yaml);
        CommandLine cli = ScanflowCommand.newCommandLine();
        cli.parseArgs("audio-classify", "--config", config.toString(), "--model", "m", "--input", "kafka://b:9092/in",
                "--out", "kafka://b:9092/out");
        return cli.getSubcommands().get("audio-classify").getCommandSpec();
    }

    @Test
    void consumerAndProducerPropertiesComeFromTheKafkaSection() throws Exception {
        KafkaSettings k = ConfigFile.kafkaSettings(parsed("engine: cpu\nkafka:\n  consumer:\n    group.id: mics\n"
                + "    fetch:\n      min.bytes: 1\n  producer:\n    transactional.id: detector\n"));
        assertEquals(Map.of("group.id", "mics", "fetch.min.bytes", "1"), k.consumer());
        assertEquals(Map.of("transactional.id", "detector"), k.producer());
    }

    @Test
    void withoutAKafkaSectionThereAreNoProperties() throws Exception {
        assertEquals(KafkaSettings.none(), ConfigFile.kafkaSettings(parsed("engine: cpu\n")));
    }

    @Test
    void aKafkaSectionOtherThanConsumerOrProducerIsRefusedByName() throws Exception {
        CommandSpec spec = parsed("kafka:\n  consumers:\n    group.id: x\n");
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> ConfigFile.kafkaSettings(spec));
        assertTrue(e.getMessage().endsWith("scanflow.yaml: 'kafka.consumers': the kafka section holds a 'consumer' and a"
                + " 'producer' section of Kafka client properties"), e.getMessage());
    }
}
