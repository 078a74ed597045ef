package io.scanflow.jobs.kafka;

import io.scanflow.audio.source.AudioRecord;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.stream.BadInputRows;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * audio-classify on topics: PCM frames in, detections out. A row of the output topic is
 * {@code window<TAB>}, then the columns of windows.tsv, keyed by stream; or {@code error<TAB>}, then the
 * columns of errors.tsv (for a bad frame: the stream, then the topic, partition and offset of its record).
 */
public final class AudioTopics {
    static final String COMMAND = "audio-classify";

    private AudioTopics() {
    }

    /** The frames of {@code topic}, decoded to mono chunks at the model's {@code sampleRate}. */
    public static DataStream<AudioRecord> frames(StreamExecutionEnvironment env, KafkaTopic topic, KafkaSettings settings,
                                                 int sampleRate, boolean bounded) {
        return env.fromSource(KafkaEndpoints.pcmFrames(topic, settings, COMMAND, sampleRate, bounded),
                WatermarkStrategy.noWatermarks(), "audio frames from " + topic).uid("kafka-audio-frames");
    }

    /** Sends the job's detections and errors to {@code topic}, exactly once. */
    public static void write(AudioClassifyJob.Outputs outputs, KafkaTopic topic, KafkaSettings settings) {
        DataStream<OutputRow> windows = outputs.windows()
                .map(w -> new OutputRow(w.stream, Rows.of("window", AudioClassifyJob.windowRow(w))))
                .returns(OutputRow.class).name("window rows");
        DataStream<OutputRow> errors = outputs.errors()
                .map(e -> new OutputRow(e.file(), Rows.of("error", BadInputRows.row(e))))
                .returns(OutputRow.class).name("error rows");
        windows.union(errors).sinkTo(KafkaEndpoints.rows(topic, settings, COMMAND)).uid("kafka-detections")
                .name("detections to " + topic);
    }
}
