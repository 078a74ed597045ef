package io.scanflow.jobs.kafka;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.jobs.dna.ClassificationReport;
import io.scanflow.jobs.dna.JobOutput;
import io.scanflow.jobs.stream.BadInputRows;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * dna-classify on topics: FASTQ records in, predictions out. A row of the output topic is
 * {@code read<TAB>}, then the columns of predictions.tsv, keyed by read id; {@code sample<TAB>}, then the
 * columns of samples.tsv, keyed by sample (when a bounded input ends); or {@code bad<TAB>}, then the columns of
 * bad-input.tsv.
 */
public final class ReadTopics {
    static final String COMMAND = "dna-classify";

    private ReadTopics() {
    }

    /** The reads of {@code topic}. */
    public static DataStream<SourceRecord> reads(StreamExecutionEnvironment env, KafkaTopic topic, KafkaSettings settings,
                                                 boolean bounded) {
        return env.fromSource(KafkaEndpoints.fastqReads(topic, settings, COMMAND, bounded),
                WatermarkStrategy.noWatermarks(), "reads from " + topic).uid("kafka-reads");
    }

    /** Sends the job's predictions, votes and bad input to {@code topic}, exactly once. */
    public static void write(DataStream<JobOutput> outputs, KafkaTopic topic, KafkaSettings settings) {
        outputs.map(ReadTopics::row).returns(OutputRow.class).name("output rows")
                .sinkTo(KafkaEndpoints.rows(topic, settings, COMMAND)).uid("kafka-predictions")
                .name("predictions to " + topic);
    }

    static OutputRow row(JobOutput o) {
        if (o.read() != null) {
            return new OutputRow(o.read().readId(), Rows.of("read", ClassificationReport.predictionRow(o.read())));
        }
        if (o.sample() != null) {
            return new OutputRow(o.sample().sample(), Rows.of("sample", ClassificationReport.sampleRow(o.sample())));
        }
        return new OutputRow(o.bad().record(), Rows.of("bad", BadInputRows.row(o.bad())));
    }
}
