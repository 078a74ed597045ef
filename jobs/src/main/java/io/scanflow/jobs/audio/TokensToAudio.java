package io.scanflow.jobs.audio;

import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.flink.GeneratedToken;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Generated mu-law tokens (keyed by session) -> audio chunks for the WAV sink, {@code chunkSamples} at a
 * time (the last chunk of a session may be shorter and is marked last). On a session's last token it
 * also emits the session's figures to {@link #STATS}: samples, audio seconds, and the real-time factor,
 * audio seconds per wall-clock second from the session's first to its last sample reaching this function.
 */
final class TokensToAudio extends KeyedProcessFunction<String, GeneratedToken, AudioChunk> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<String> STATS = new OutputTag<>("generation-stats", Types.STRING);

    private final int sampleRate;
    private final int chunkSamples;
    private transient ValueState<float[]> buffer;
    private transient ValueState<Long> firstSeenNanos;

    TokensToAudio(int sampleRate, int chunkSamples) {
        this.sampleRate = sampleRate;
        this.chunkSamples = chunkSamples;
    }

    @Override
    public void open(OpenContext context) {
        buffer = getRuntimeContext().getState(new ValueStateDescriptor<>("samples",
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        firstSeenNanos = getRuntimeContext().getState(new ValueStateDescriptor<>("first-seen", Types.LONG));
    }

    @Override
    public void processElement(GeneratedToken t, Context ctx, Collector<AudioChunk> out) throws Exception {
        if (t.index() == 0) {
            firstSeenNanos.update(System.nanoTime());
        }
        float[] buf = buffer.value();
        int have = t.index() % chunkSamples;
        if (buf == null || have == 0) {
            buf = new float[chunkSamples];
        }
        buf[have] = MuLaw.decode(t.token());
        long first = (long) t.index() - have;
        if (have + 1 == chunkSamples || t.last()) {
            float[] samples = have + 1 == chunkSamples ? buf : java.util.Arrays.copyOf(buf, have + 1);
            out.collect(new AudioChunk(t.key(), first, sampleRate, samples, t.last()));
            buffer.clear();
        } else {
            buffer.update(buf);
        }
        if (t.last()) {
            long samples = t.index() + 1L;
            Long start = firstSeenNanos.value();
            double wall = (System.nanoTime() - (start == null ? System.nanoTime() : start)) / 1e9 + 1.0 / sampleRate;
            double seconds = (double) samples / sampleRate;
            ctx.output(STATS, t.key() + "\t" + samples + "\t" + seconds + "\t" + seconds / wall);
            firstSeenNanos.clear();
        }
    }
}
