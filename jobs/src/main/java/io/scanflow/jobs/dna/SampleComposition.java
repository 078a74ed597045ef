package io.scanflow.jobs.dna;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one sample's fragments were called: counts per label and {@link Calls#UNCLASSIFIED}, the most
 * frequent call, and whether a second species passes the mixture threshold.
 *
 * @param counts fragments per call, most first (ties by name)
 */
public record SampleComposition(String sample, long fragments, List<Map.Entry<String, Long>> counts) {

    /** One composition per sample, sorted by sample. */
    static List<SampleComposition> of(List<Call> calls) {
        Map<String, Map<String, Long>> bySample = new TreeMap<>();
        for (Call c : calls) {
            bySample.computeIfAbsent(c.sample(), k -> new TreeMap<>()).merge(c.call(), 1L, Long::sum);
        }
        List<SampleComposition> out = new ArrayList<>();
        bySample.forEach((sample, counts) -> {
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
            sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
            out.add(new SampleComposition(sample, counts.values().stream().mapToLong(Long::longValue).sum(), List.copyOf(sorted)));
        });
        return out;
    }

    /** The most frequent call, which is "unclassified" when most fragments are. */
    public String predicted() {
        return counts.isEmpty() ? Calls.UNCLASSIFIED : counts.get(0).getKey();
    }

    public double fraction(String call) {
        return fragments == 0 ? 0 : (double) count(call) / fragments;
    }

    public long count(String call) {
        return counts.stream().filter(e -> e.getKey().equals(call)).mapToLong(Map.Entry::getValue).findFirst().orElse(0);
    }

    /** Species (not "unclassified") holding at least {@code threshold} of the fragments each, most first. */
    public List<String> speciesAbove(double threshold) {
        return counts.stream().filter(e -> !e.getKey().equals(Calls.UNCLASSIFIED))
                .filter(e -> (double) e.getValue() / fragments >= threshold).map(Map.Entry::getKey).toList();
    }

    /** A mixture: two or more species each hold at least {@code threshold} of the fragments. */
    public boolean mixture(double threshold) {
        return speciesAbove(threshold).size() >= 2;
    }

    /** {@code human:0.800,chimpanzee:0.100,unclassified:0.100}: the fraction of fragments per call, most first. */
    public String composition() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : counts) {
            sb.append(sb.length() == 0 ? "" : ",").append(e.getKey()).append(':')
                    .append(String.format(Locale.ROOT, "%.3f", (double) e.getValue() / fragments));
        }
        return sb.toString();
    }
}
