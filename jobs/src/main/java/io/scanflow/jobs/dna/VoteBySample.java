package io.scanflow.jobs.dna;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by sample: counts the predicted labels of the sample's reads in keyed state and, when the
 * input ends (the final watermark), emits the majority label. Ties go to the label that sorts first.
 */
final class VoteBySample extends KeyedProcessFunction<String, ReadPrediction, SampleVote> {
    private static final long serialVersionUID = 1L;
    private transient MapState<String, Long> counts;

    @Override
    public void open(OpenContext context) {
        counts = getRuntimeContext().getMapState(new MapStateDescriptor<>("votes", Types.STRING, Types.LONG));
    }

    @Override
    public void processElement(ReadPrediction p, Context ctx, Collector<SampleVote> out) throws Exception {
        Long n = counts.get(p.predicted());
        counts.put(p.predicted(), n == null ? 1 : n + 1);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SampleVote> out) throws Exception {
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entries()) {
            entries.add(Map.entry(e.getKey(), e.getValue()));
        }
        out.collect(vote(ctx.getCurrentKey(), entries));
        counts.clear();
    }

    static SampleVote vote(String sample, List<Map.Entry<String, Long>> entries) {
        entries.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey())
                : Long.compare(b.getValue(), a.getValue()));
        long total = 0;
        StringBuilder votes = new StringBuilder();
        for (Map.Entry<String, Long> e : entries) {
            total += e.getValue();
            votes.append(votes.length() == 0 ? "" : ",").append(e.getKey()).append(':').append(e.getValue());
        }
        return new SampleVote(sample, total, entries.isEmpty() ? "" : entries.get(0).getKey(), votes.toString());
    }
}
