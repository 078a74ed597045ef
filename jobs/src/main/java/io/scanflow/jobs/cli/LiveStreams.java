package io.scanflow.jobs.cli;

import io.scanflow.audio.source.AudioRecord;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.dna.DnaClassifyJob;
import io.scanflow.jobs.kafka.AudioTopics;
import io.scanflow.jobs.kafka.KafkaTopic;
import io.scanflow.jobs.kafka.ReadTopics;
import io.scanflow.model.io.BadRecordPolicy;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a classify command's records come from: its {@code --input} files, or the one Kafka topic named
 * {@code kafka://BROKERS/TOPIC}. With a folder as {@code --out}, a topic is read to the end it has when the
 * job starts, so the run ends and writes its files; with a topic as {@code --out} too, the job runs live
 * until it is cancelled.
 */
final class LiveStreams {
    private LiveStreams() {
    }

    /** Whether {@code --out} names a topic (no folder to hold, and the job's rows go to Kafka). */
    static boolean isTopic(Path out) {
        return KafkaTopic.isTopic(out);
    }

    /** The topic {@code inputs} name, or null for files; a topic must be the only input. */
    static KafkaTopic inputTopic(List<Path> inputs) {
        if (inputs == null || inputs.stream().noneMatch(KafkaTopic::isTopic)) {
            return null;
        }
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("--input: a kafka:// topic must be the only input, found " + inputs.size()
                    + " inputs");
        }
        return KafkaTopic.parse("--input", inputs.get(0));
    }

    /** audio-classify's records: from the input files, or the input topic. */
    static DataStream<AudioRecord> audioRecords(StreamExecutionEnvironment env, List<Path> inputs, Path out,
                                                int sampleRate, BadRecordPolicy badRecords, CommandSpec spec) {
        KafkaTopic in = inputTopic(inputs);
        return in == null ? AudioClassifyJob.files(env, inputs, sampleRate, badRecords)
                : AudioTopics.frames(env, in, ConfigFile.kafkaSettings(spec), sampleRate, !isTopic(out));
    }

    /** dna-classify's records: from the input files, or the input topic. */
    static DataStream<SourceRecord> readRecords(StreamExecutionEnvironment env, DnaClassifyJob.Settings settings,
                                                Path out, CommandSpec spec) {
        KafkaTopic in = inputTopic(settings.inputs());
        return in == null ? DnaClassifyJob.files(env, settings)
                : ReadTopics.reads(env, in, ConfigFile.kafkaSettings(spec), !isTopic(out));
    }

    /** Runs a job whose rows go to the output topic; a live input keeps it running until it is cancelled. */
    static void execute(StreamExecutionEnvironment env, String command, Path out, List<Path> inputs, CommandSpec spec)
            throws Exception {
        spec.commandLine().getErr().println(command + ": rows to " + KafkaTopic.parse("--out", out) + ", committed at"
                + " each checkpoint" + (inputTopic(inputs) != null ? "; runs until cancelled" : ""));
        spec.commandLine().getErr().flush();
        try {
            env.execute("scanflow " + command);
        } catch (Exception e) {
            throw JobFailures.of(e); // exit 1 for a bad record under --bad-records fail, else 3
        }
    }
}
