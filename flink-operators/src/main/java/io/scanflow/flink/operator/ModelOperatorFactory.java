package io.scanflow.flink.operator;

import io.scanflow.flink.Classify;
import io.scanflow.flink.Embed;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedChunk;
import io.scanflow.flink.HeadClassify;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import java.io.Serializable;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates the keyed model operator for one mode ({@link Classify}, {@link HeadClassify}, {@link Embed} or
 * {@link Generate}).
 * A factory rather than an operator instance, so the operator gets the task's mailbox executor.
 */
public final class ModelOperatorFactory<OUT> extends AbstractStreamOperatorFactory<OUT>
        implements OneInputStreamOperatorFactory<ScanInput, OUT> {
    private static final long serialVersionUID = 1L;

    private final ModelSpec spec;
    private final ScanOptions options;
    private final Serializable mode;
    /** Generation only: a record per session per round instead of one per token. */
    private final boolean chunks;

    /**
     * A factory for the operator of {@code mode}: {@link io.scanflow.flink.Classify},
     * {@link io.scanflow.flink.Embed} or {@link io.scanflow.flink.Generate}.
     */
    public ModelOperatorFactory(ModelSpec spec, ScanOptions options, Serializable mode) {
        this(spec, options, mode, false);
    }

    /** Generation emitting {@link GeneratedChunk}s: a record per session per round. */
    public static ModelOperatorFactory<GeneratedChunk> generateChunks(ModelSpec spec,
                                                                                     ScanOptions options, Generate mode) {
        return new ModelOperatorFactory<>(spec, options, mode, true);
    }

    private ModelOperatorFactory(ModelSpec spec, ScanOptions options, Serializable mode, boolean chunks) {
        if (!(mode instanceof Classify || mode instanceof HeadClassify || mode instanceof Embed
                || mode instanceof Generate)) {
            throw new IllegalArgumentException("mode must be Classify, HeadClassify, Embed or Generate, found " + mode);
        }
        this.spec = spec;
        this.options = options;
        this.mode = mode;
        this.chunks = chunks;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T extends StreamOperator<OUT>> T createStreamOperator(StreamOperatorParameters<OUT> parameters) {
        StreamOperatorParameters p = parameters;
        if (mode instanceof Classify) {
            return (T) new ClassifyOperator(p, spec, options, (Classify) mode);
        }
        if (mode instanceof HeadClassify) {
            return (T) new HeadClassifyOperator(p, spec, options);
        }
        if (mode instanceof Embed) {
            return (T) new EmbedOperator(p, spec, options, (Embed) mode);
        }
        return chunks ? (T) new ChunkGenerateOperator(p, spec, options, (Generate) mode)
                : (T) new TokenGenerateOperator(p, spec, options, (Generate) mode);
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface's signature
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        if (mode instanceof Classify) {
            return ClassifyOperator.class;
        }
        if (mode instanceof HeadClassify) {
            return HeadClassifyOperator.class;
        }
        if (mode instanceof Embed) {
            return EmbedOperator.class;
        }
        return chunks ? ChunkGenerateOperator.class : TokenGenerateOperator.class;
    }
}
