package io.scanflow.jobs.dna;

import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.source.BadInputRouter;
import io.scanflow.genomics.source.GenomicsSource;
import io.scanflow.genomics.source.ReadOptions;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.io.BadInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The dna-classify pipeline:
 * <pre>
 * genomics source (BAM/SAM/CRAM/FASTQ/FASTA) -> bad input to the side output
 *   -> long reads cut into windows -> tokens (the model's DNA vocabulary), one stream per read (key = read)
 *   -> keyed model operator with the model's head: each read pooled as the head says, its label and probability
 *   -> keyed by sample: majority vote when the input ends
 * </pre>
 * Predictions, votes and bad input are three streams ({@link Outputs}); {@link DnaClassify} writes each
 * to the output folder's file sink.
 */
public final class DnaClassifyJob {
    private DnaClassifyJob() {
    }

    /** What to run on. */
    public record Settings(List<Path> inputs, Path model, ReadOptions readOptions, ModelSpec modelSpec,
                           ScanOptions scanOptions) {
    }

    public static Settings settings(List<Path> inputs, Path model) {
        return new Settings(inputs, model, ReadOptions.defaults(), ModelSpec.of(model),
                ScanOptions.defaults().withBundleSize(256).withBundleTimeout(Duration.ofMillis(20)));
    }

    /** The job's three outputs: a prediction per read, a vote per sample at the end, and bad input. */
    public record Outputs(DataStream<ReadPrediction> predictions, DataStream<SampleVote> votes,
                          DataStream<BadInput> bad) {
        /** All three as one stream. */
        public DataStream<JobOutput> union() {
            TypeInformation<JobOutput> out = TypeInformation.of(JobOutput.class);
            return predictions.map(JobOutput::of).returns(out).name("predictions")
                    .union(votes.map(JobOutput::of).returns(out).name("votes"),
                            bad.map(JobOutput::of).returns(out).name("bad input"));
        }
    }

    public static DataStream<JobOutput> build(StreamExecutionEnvironment env, Settings s) {
        return outputs(files(env, s), s).union();
    }

    /** The reads (or bad input) of the input files. */
    public static DataStream<SourceRecord> files(StreamExecutionEnvironment env, Settings s) {
        GenomicsSource source = GenomicsSource.forFiles(s.inputs()).options(s.readOptions()).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "genomics source").uid("genomics-source");
    }

    /** Classifies the reads of {@code records}, from files or any other source; votes when the input ends. */
    public static Outputs outputs(DataStream<SourceRecord> records, Settings s) {
        DnaVocabulary vocabulary = DnaVocabulary.fromModel(s.model());
        // Here, so a model folder without a usable head fails before the job is submitted.
        ClassificationHeads.load(s.model());
        SingleOutputStreamOperator<DnaRead> reads = records.process(new BadInputRouter())
                .returns(TypeInformation.of(DnaRead.class)).name("route bad input").uid("route-bad-input");
        DataStream<BadInput> bad = reads.getSideOutput(BadInputRouter.BAD_INPUT);

        DataStream<ScanInput> tokens = reads.flatMap(new LongReadWindows(s.readOptions().window(), s.readOptions().stride()))
                .returns(TypeInformation.of(DnaRead.class)).name("windows of long reads").uid("long-read-windows")
                .map(new ToScanInput(vocabulary))
                .returns(TypeInformation.of(ScanInput.class)).name("tokenize").uid("tokenize");
        SingleOutputStreamOperator<HeadPrediction> labels = ScanOperators.classify(
                ScanOperators.keyByStream(tokens), s.modelSpec(), s.scanOptions()).uid("classify-reads");
        DataStream<BadInput> rejected = labels.getSideOutput(ScanOperators.BAD_RECORDS)
                .map(r -> new BadInput("-", ReadKeys.readId(r.key()), r.field(), r.value() + ": " + r.reason()))
                .returns(TypeInformation.of(BadInput.class)).name("rejected by the model");

        DataStream<ReadPrediction> predictions = labels.map(ReadPrediction::of)
                .returns(TypeInformation.of(ReadPrediction.class)).name("read predictions").uid("read-predictions");
        DataStream<SampleVote> votes = predictions.keyBy(ReadPrediction::sample, Types.STRING)
                .process(new VoteBySample()).returns(TypeInformation.of(SampleVote.class)).name("vote by sample")
                .uid("vote-by-sample");
        return new Outputs(predictions, votes, bad.union(rejected));
    }
}
