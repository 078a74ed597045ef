package io.scanflow.jobs.dna;

import io.scanflow.genomics.tokenizer.DnaTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads cut from the shipped ape references, and the outputs' rows, for the dna-classify tests. */
final class ApeReads {
    private ApeReads() {
    }

    static Path repo() {
        return Path.of(System.getProperty("scanflow.testdata", "../testdata")).toAbsolutePath().getParent();
    }

    static Path model() {
        return repo().resolve("models/dna-apes");
    }

    /** The reference sequences by record name (e.g. {@code human.apes.Homo_sapiens}). */
    static Map<String, String> references() throws IOException {
        Map<String, String> refs = new LinkedHashMap<>();
        String name = null;
        StringBuilder seq = new StringBuilder();
        for (String line : Files.readAllLines(repo().resolve("testdata/genomics/apes-mtdna.fa"))) {
            if (line.startsWith(">")) {
                if (name != null) {
                    refs.put(name, seq.toString());
                }
                name = line.substring(1).split(" ")[0];
                seq.setLength(0);
            } else {
                seq.append(line.strip());
            }
        }
        refs.put(name, seq.toString());
        return refs;
    }

    /** {@code n} error-free reads of {@code length} bases from {@code reference}, every {@code step} bases, named {@code prefix-i}. */
    static List<String[]> reads(String reference, String prefix, int n, int length, int step) throws IOException {
        String seq = references().get(reference);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int start = (i * step) % (seq.length() - length);
            out.add(new String[] {prefix + "-" + i, seq.substring(start, start + length)});
        }
        return out;
    }

    /** The mate of a read: the reverse complement of the {@code length} bases ending {@code insert} bases after its start. */
    static String mate(String reference, String read, int insert, int length) throws IOException {
        String seq = references().get(reference);
        int start = seq.indexOf(read);
        int end = Math.min(seq.length(), start + insert);
        return DnaTokenizer.reverseComplement(seq.substring(end - length, end));
    }

    static String fastq(List<String[]> reads) {
        StringBuilder sb = new StringBuilder();
        for (String[] r : reads) {
            sb.append('@').append(r[0]).append('\n').append(r[1]).append("\n+\n").append("I".repeat(r[1].length())).append('\n');
        }
        return sb.toString();
    }

    /** The rows of a TSV output after its provenance line and header, split into fields. */
    static List<String[]> rows(String tsv) {
        List<String[]> out = new ArrayList<>();
        String[] lines = tsv.split("\n");
        for (int i = 2; i < lines.length; i++) {
            out.add(lines[i].split("\t", -1));
        }
        return out;
    }
}
