package io.scanflow.flink;

import io.scanflow.flink.operator.ModelOperatorFactory;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Keyed model operators for jobs. Each key's chunks run through the model in order, with the key's
 * recurrent state in Flink keyed state; records of many keys are bundled into one engine call.
 *
 * <pre>
 * KeyedStream&lt;ScanInput, String&gt; keyed = ScanOperators.keyByStream(records);
 * DataStream&lt;HeadPrediction&gt; labels = ScanOperators.classify(keyed, ModelSpec.of(dir)); // head.json's labels
 * DataStream&lt;BadRecord&gt; rejected = labels.getSideOutput(ScanOperators.BAD_RECORDS);
 * DataStream&lt;Prediction&gt; next = ScanOperators.predictNextToken(keyed, ModelSpec.of(lm), Classify.perChunk());
 * </pre>
 */
public final class ScanOperators {

    /** Records the operator could not feed to the model, with the reason. */
    public static final OutputTag<BadRecord> BAD_RECORDS =
            new OutputTag<>("scanflow-bad-records", TypeInformation.of(BadRecord.class));

    private ScanOperators() {}

    /** Keys a stream by {@link ScanInput#key()}. */
    public static KeyedStream<ScanInput, String> keyByStream(DataStream<ScanInput> input) {
        return input.keyBy(new StreamKey(), Types.STRING);
    }

    /** Classifies each record with the model's trained head, with {@link ScanOptions#defaults()}. */
    public static SingleOutputStreamOperator<HeadPrediction> classify(KeyedStream<ScanInput, String> input,
                                                                      ModelSpec model) {
        return classify(input, model, ScanOptions.defaults());
    }

    /**
     * Classifies each record with the model's trained head ({@code head.json} in the model folder): the
     * record's chunk pooled as the head says, the labels' probabilities, one {@link HeadPrediction} per
     * record; the key's state carries on to its next record.
     */
    public static SingleOutputStreamOperator<HeadPrediction> classify(KeyedStream<ScanInput, String> input,
                                                                      ModelSpec model, ScanOptions options) {
        return input.transform("scanflow classify", TypeInformation.of(HeadPrediction.class),
                new ModelOperatorFactory<>(model, options, HeadClassify.perRecord()));
    }

    /** The most likely next token per chunk, window or stream, with {@link ScanOptions#defaults()}. */
    public static SingleOutputStreamOperator<Prediction> predictNextToken(KeyedStream<ScanInput, String> input,
                                                                          ModelSpec model, Classify mode) {
        return predictNextToken(input, model, mode, ScanOptions.defaults());
    }

    /**
     * The language model's own prediction: the most likely next token and its probability per chunk, per
     * window or at the end of the stream, as {@code mode} says. For a trained head's labels, see {@link #classify}.
     */
    public static SingleOutputStreamOperator<Prediction> predictNextToken(KeyedStream<ScanInput, String> input,
                                                                          ModelSpec model, Classify mode,
                                                                          ScanOptions options) {
        return input.transform("scanflow next-token prediction", TypeInformation.of(Prediction.class),
                new ModelOperatorFactory<>(model, options, mode));
    }

    /** Embeds each chunk with {@link ScanOptions#defaults()}. */
    public static SingleOutputStreamOperator<Embedding> embed(KeyedStream<ScanInput, String> input, ModelSpec model,
                                                              Embed mode) {
        return embed(input, model, mode, ScanOptions.defaults());
    }

    /** Embeds each chunk: its last or mean final hidden state, with the key's state carried between chunks. */
    public static SingleOutputStreamOperator<Embedding> embed(KeyedStream<ScanInput, String> input, ModelSpec model,
                                                              Embed mode, ScanOptions options) {
        return input.transform("scanflow embed", TypeInformation.of(Embedding.class),
                new ModelOperatorFactory<>(model, options, mode));
    }

    /** Generates from each chunk as a prompt, with {@link ScanOptions#defaults()}. */
    public static SingleOutputStreamOperator<GeneratedToken> generate(KeyedStream<ScanInput, String> input,
                                                                      ModelSpec model, Generate mode) {
        return generate(input, model, mode, ScanOptions.defaults());
    }

    /** Generates from each chunk as a prompt: a session of new tokens per prompt, fed back into the key's stream. */
    public static SingleOutputStreamOperator<GeneratedToken> generate(KeyedStream<ScanInput, String> input,
                                                                      ModelSpec model, Generate mode,
                                                                      ScanOptions options) {
        return input.transform("scanflow generate", TypeInformation.of(GeneratedToken.class),
                new ModelOperatorFactory<>(model, options, mode));
    }

    /**
     * Generation emitting one {@link GeneratedChunk} per session per round ({@link Generate#withTokensPerRound})
     * instead of one record per token: for sessions at audio rates, where a record per token is more than a
     * job can move. The tokens are those of {@link #generate}.
     */
    public static SingleOutputStreamOperator<GeneratedChunk> generateChunks(KeyedStream<ScanInput, String> input,
                                                                            ModelSpec model, Generate mode,
                                                                            ScanOptions options) {
        return input.transform("scanflow generate", TypeInformation.of(GeneratedChunk.class),
                ModelOperatorFactory.generateChunks(model, options, mode));
    }

    /** The key selector of {@link #keyByStream}; a class, not a lambda, so its type is known. */
    public static final class StreamKey implements KeySelector<ScanInput, String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(ScanInput value) {
            return value.key();
        }
    }
}
