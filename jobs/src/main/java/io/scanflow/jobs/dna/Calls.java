package io.scanflow.jobs.dna;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns read predictions into calls: mates of a pair ({@code NAME/1}, {@code NAME/2} in one sample)
 * become one fragment, the windows of a long read ({@link LongReadWindows}) one read, and a fragment
 * whose probability is below the threshold is "unclassified".
 *
 * <p>A pair's probability for a label is the mean of its mates' probabilities for it, where a mate that
 * called another label counts 0 (the job keeps only each read's most probable label). Mates that agree
 * keep their mean probability; mates that disagree give at most half of the larger one, so a discordant
 * pair falls below any threshold over 0.5 and comes out unclassified rather than as a coin toss.
 */
public final class Calls {
    public static final String UNCLASSIFIED = "unclassified";
    private static final java.util.regex.Pattern WINDOW = java.util.regex.Pattern.compile(".+/w\\d+-\\d+");

    private Calls() {
    }

    /** Calls sorted by sample, then id. */
    public static List<Call> of(List<ReadPrediction> reads, double minProbability) {
        List<Call> calls = new ArrayList<>();
        Map<String, List<ReadPrediction>> fragments = new LinkedHashMap<>();
        Map<String, List<ReadPrediction>> windows = new LinkedHashMap<>();
        for (ReadPrediction p : reads) {
            int mark = p.readId().lastIndexOf(LongReadWindows.MARK);
            if (mark > 0 && WINDOW.matcher(p.readId()).matches()) {
                windows.computeIfAbsent(p.sample() + '\t' + p.readId().substring(0, mark), k -> new ArrayList<>()).add(p);
            } else if (isMate(p.readId())) {
                fragments.computeIfAbsent(p.sample() + '\t' + fragmentId(p.readId()), k -> new ArrayList<>()).add(p);
            } else {
                calls.add(single(p, minProbability));
            }
        }
        for (List<ReadPrediction> mates : fragments.values()) {
            if (mates.size() == 2 && !mates.get(0).readId().equals(mates.get(1).readId())) {
                calls.add(pair(mates.get(0), mates.get(1), minProbability));
            } else {
                mates.forEach(p -> calls.add(single(p, minProbability))); // a mate alone (its pair filtered out), or a repeat
            }
        }
        windows.values().forEach(w -> calls.add(longRead(w, minProbability)));
        calls.sort(Comparator.comparing(Call::sample).thenComparing(Call::id));
        return calls;
    }

    private static boolean isMate(String readId) {
        return readId.endsWith("/1") || readId.endsWith("/2");
    }

    /** The name of a read's fragment: without its {@code /1} or {@code /2} mate suffix. */
    static String fragmentId(String readId) {
        return isMate(readId) ? readId.substring(0, readId.length() - 2) : readId;
    }

    private static Call single(ReadPrediction p, double minProbability) {
        return call(p.readId(), p.sample(), p.predicted(), p.probability(), p.bases(), 1, minProbability);
    }

    /**
     * A long read's call from its windows' calls: the label most windows are called, when more than half
     * of them are; its probability is that share of the windows.
     */
    private static Call longRead(List<ReadPrediction> windows, double minProbability) {
        Map<String, Integer> votes = new java.util.TreeMap<>();
        int bases = 0;
        for (ReadPrediction w : windows) {
            votes.merge(w.probability() >= minProbability ? w.predicted() : UNCLASSIFIED, 1, Integer::sum);
            bases += w.bases();
        }
        Map.Entry<String, Integer> top = votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        float share = (float) top.getValue() / windows.size();
        ReadPrediction first = windows.get(0);
        String id = first.readId().substring(0, first.readId().lastIndexOf(LongReadWindows.MARK));
        String call = share > 0.5 ? top.getKey() : UNCLASSIFIED;
        return new Call(id, first.sample(), call, share, top.getKey(), bases, windows.size());
    }

    private static Call pair(ReadPrediction a, ReadPrediction b, double minProbability) {
        String id = fragmentId(a.readId());
        float score = a.predicted().equals(b.predicted()) ? (a.probability() + b.probability()) / 2
                : Math.max(a.probability(), b.probability()) / 2;
        String best = a.predicted().equals(b.predicted()) || a.probability() >= b.probability() ? a.predicted() : b.predicted();
        return call(id, a.sample(), best, score, a.bases() + b.bases(), 2, minProbability);
    }

    private static Call call(String id, String sample, String best, float probability, int bases, int reads, double minProbability) {
        return new Call(id, sample, probability >= minProbability ? best : UNCLASSIFIED, probability, best, bases, reads);
    }
}
