package io.scanflow.jobs.audio;

import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.flink.GeneratedChunk;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Generated mu-law tokens (a chunk per session per round, keyed by session) -> audio chunks for the WAV
 * sink. On a session's last chunk it also emits the session's figures to {@link #STATS}: samples, audio
 * seconds, and the real-time factor, audio seconds per wall-clock second from the session's first to its
 * last sample reaching this function.
 */
final class TokensToAudio extends KeyedProcessFunction<String, GeneratedChunk, AudioChunk> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<String> STATS = new OutputTag<>("generation-stats", Types.STRING);

    private final int sampleRate;
    private transient ValueState<Long> firstSeenNanos;

    TokensToAudio(int sampleRate) {
        this.sampleRate = sampleRate;
    }

    @Override
    public void open(OpenContext context) {
        firstSeenNanos = getRuntimeContext().getState(new ValueStateDescriptor<>("first-seen", Types.LONG));
    }

    @Override
    public void processElement(GeneratedChunk c, Context ctx, Collector<AudioChunk> out) throws Exception {
        if (c.firstIndex() == 0) {
            firstSeenNanos.update(System.nanoTime());
        }
        int[] tokens = c.tokens();
        float[] samples = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            samples[i] = MuLaw.decode(tokens[i]);
        }
        out.collect(new AudioChunk(c.key(), c.firstIndex(), sampleRate, samples, c.last()));
        if (c.last()) {
            long total = (long) c.firstIndex() + tokens.length;
            Long start = firstSeenNanos.value();
            double wall = (System.nanoTime() - (start == null ? System.nanoTime() : start)) / 1e9 + 1.0 / sampleRate;
            double seconds = (double) total / sampleRate;
            ctx.output(STATS, c.key() + "\t" + total + "\t" + seconds + "\t" + seconds / wall);
            firstSeenNanos.clear();
        }
    }
}
