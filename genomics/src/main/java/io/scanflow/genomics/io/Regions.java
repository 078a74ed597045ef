package io.scanflow.genomics.io;

import htsjdk.samtools.QueryInterval;
import htsjdk.samtools.SAMFileHeader;
import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.samtools.SAMSequenceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regions as samtools writes them: {@code chr} (the whole sequence), {@code chr:from} (to its end) or
 * {@code chr:from-to}, 1-based and inclusive, commas allowed in numbers. A name that is itself a
 * sequence of the header wins over a reading with a range (names may hold ':').
 */
public final class Regions {
    private static final Pattern RANGE = Pattern.compile("(.+):([\\d,]+)(?:-([\\d,]+))?");

    private Regions() {
    }

    /**
     * The regions as query intervals of {@code header}, sorted and merged as htsjdk's queries need.
     *
     * @throws IllegalArgumentException naming {@code file} and the region, for a malformed region or a sequence the header lacks
     */
    public static QueryInterval[] intervals(List<String> regions, SAMFileHeader header, String file) {
        SAMSequenceDictionary dictionary = header.getSequenceDictionary();
        List<QueryInterval> out = new ArrayList<>();
        for (String region : regions) {
            SAMSequenceRecord whole = dictionary.getSequence(region);
            if (whole != null) {
                out.add(new QueryInterval(whole.getSequenceIndex(), 1, -1));
                continue;
            }
            Matcher m = RANGE.matcher(region);
            SAMSequenceRecord seq = m.matches() ? dictionary.getSequence(m.group(1)) : null;
            if (seq == null) {
                String name = m.matches() ? m.group(1) : region;
                List<String> known = new ArrayList<>();
                dictionary.getSequences().stream().limit(5).forEach(s -> known.add(s.getSequenceName()));
                throw new IllegalArgumentException(file + ": --region " + region + ": expected a sequence of the file's header"
                        + " (" + known + (dictionary.size() > 5 ? " and " + (dictionary.size() - 5) + " more" : "") + "), found '"
                        + name + "'");
            }
            int from = number(m.group(2), region, file);
            int to = m.group(3) == null ? -1 : number(m.group(3), region, file);
            if (from < 1 || (to != -1 && to < from)) {
                throw new IllegalArgumentException(file + ": --region " + region + ": expected 1 <= from <= to, found from "
                        + from + (to == -1 ? "" : " and to " + to));
            }
            out.add(new QueryInterval(seq.getSequenceIndex(), from, to));
        }
        return QueryInterval.optimizeIntervals(out.toArray(new QueryInterval[0]));
    }

    private static int number(String digits, String region, String file) {
        try {
            return Integer.parseInt(digits.replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": --region " + region + ": expected a position below 2^31, found " + digits);
        }
    }
}
