package io.scanflow.jobs.dna;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.Embed;
import io.scanflow.flink.Embedding;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.genomics.io.BadInput;
import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.source.BadInputRouter;
import io.scanflow.genomics.source.GenomicsSource;
import io.scanflow.genomics.source.ReadOptions;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.head.Pooling;
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
 *   -> tokens (the model's DNA vocabulary), one stream per read (key = read)
 *   -> keyed model operator: mean-pooled (or last) embedding of each read
 *   -> classification head: label and probability per read
 *   -> keyed by sample: majority vote when the input ends
 * </pre>
 * Predictions, votes and bad input are unioned into one stream of {@link JobOutput} for the client.
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

    public static DataStream<JobOutput> build(StreamExecutionEnvironment env, Settings s) {
        return classify(files(env, s), s);
    }

    /** The reads (or bad input) of the input files. */
    public static DataStream<SourceRecord> files(StreamExecutionEnvironment env, Settings s) {
        GenomicsSource source = GenomicsSource.forFiles(s.inputs()).options(s.readOptions()).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "genomics source").uid("genomics-source");
    }

    /** Classifies the reads of {@code records}, from files or any other source; votes when the input ends. */
    public static DataStream<JobOutput> classify(DataStream<SourceRecord> records, Settings s) {
        DnaVocabulary vocabulary = DnaVocabulary.fromModel(s.model());
        ClassificationHead head = ClassificationHeads.load(s.model());
        SingleOutputStreamOperator<DnaRead> reads = records.process(new BadInputRouter())
                .returns(TypeInformation.of(DnaRead.class)).name("route bad input").uid("route-bad-input");
        DataStream<BadInput> bad = reads.getSideOutput(BadInputRouter.BAD_INPUT);

        DataStream<ScanInput> tokens = reads.map(new ToScanInput(vocabulary))
                .returns(TypeInformation.of(ScanInput.class)).name("tokenize").uid("tokenize");
        Embed pooling = head.pooling() == Pooling.LAST ? Embed.lastToken() : Embed.meanPooled();
        SingleOutputStreamOperator<Embedding> embeddings = ScanOperators.embed(
                ScanOperators.keyByStream(tokens), s.modelSpec(), pooling, s.scanOptions()).uid("embed-reads");
        DataStream<BadRecord> rejected = embeddings.getSideOutput(ScanOperators.BAD_RECORDS);

        DataStream<ReadPrediction> predictions = embeddings.map(new ApplyHead(s.model()))
                .returns(TypeInformation.of(ReadPrediction.class)).name("classification head").uid("classification-head");
        DataStream<SampleVote> votes = predictions.keyBy(ReadPrediction::sample, Types.STRING)
                .process(new VoteBySample()).returns(TypeInformation.of(SampleVote.class)).name("vote by sample")
                .uid("vote-by-sample");

        TypeInformation<JobOutput> out = TypeInformation.of(JobOutput.class);
        return predictions.map(JobOutput::of).returns(out).name("predictions")
                .union(votes.map(JobOutput::of).returns(out).name("votes"),
                        bad.map(JobOutput::of).returns(out).name("bad input"),
                        rejected.map(r -> JobOutput.of(new BadInput("-", ReadKeys.readId(r.key()), r.field(),
                                r.value() + ": " + r.reason()))).returns(out).name("rejected by the model"));
    }
}
