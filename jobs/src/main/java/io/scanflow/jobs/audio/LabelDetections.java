package io.scanflow.jobs.audio;

import io.scanflow.audio.detect.Detection;
import io.scanflow.flink.HeadPrediction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per stream, joins each word's times (from the detector) with the classifier's call for its window (from
 * the model operator), matched by the word's start in milliseconds, which is the window record's event
 * time. Whichever side comes first waits in keyed state (a word or two per stream at most), so the join is
 * checkpointed like the rest of the job.
 */
final class LabelDetections extends KeyedCoProcessFunction<String, HeadPrediction, Detection, Detection> {
    private static final long serialVersionUID = 1L;

    private transient MapState<Long, Detection> waiting;

    /** The window record's event time for a word starting at {@code startSeconds}. */
    static long eventTime(double startSeconds) {
        return Math.round(startSeconds * 1000);
    }

    @Override
    public void open(OpenContext context) {
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("words-waiting-for-labels", Types.LONG,
                TypeInformation.of(Detection.class)));
    }

    @Override
    public void processElement1(HeadPrediction p, Context ctx, Collector<Detection> out) throws Exception {
        Detection call = new Detection();
        call.label = p.label();
        call.probability = p.probability();
        join(p.eventTime(), call, out);
    }

    @Override
    public void processElement2(Detection word, Context ctx, Collector<Detection> out) throws Exception {
        join(eventTime(word.startSeconds), word, out);
    }

    /** Emits the word with its label once both halves are here; until then the first one waits. */
    private void join(long at, Detection half, Collector<Detection> out) throws Exception {
        Detection other = waiting.get(at);
        if (other == null) {
            waiting.put(at, half);
            return;
        }
        waiting.remove(at);
        Detection word = half.label == null ? half : other;
        Detection call = half.label == null ? other : half;
        word.label = call.label;
        word.probability = call.probability;
        out.collect(word);
    }
}
