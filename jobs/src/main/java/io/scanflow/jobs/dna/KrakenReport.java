package io.scanflow.jobs.dna;

import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One sample's calls as a Kraken2 report ({@code --report}): per taxon, the percentage and number of
 * fragments in its clade, the number called as the taxon itself, its rank code, NCBI taxid and name,
 * indented two spaces a level; "unclassified" first, then the tree depth first. Taxa with no fragments
 * are left out, as Kraken2 does without {@code --report-zero-counts}.
 */
final class KrakenReport {
    private final Taxonomy taxonomy;

    KrakenReport(Taxonomy taxonomy) {
        this.taxonomy = taxonomy;
    }

    void write(Writer w, SampleComposition sample) throws IOException {
        Map<Integer, Long> direct = new HashMap<>();
        Map<Integer, Long> clade = new HashMap<>();
        for (Map.Entry<String, Long> e : sample.counts()) {
            Taxonomy.Taxon t = taxonomy.ofLabel(e.getKey());
            if (t == null) {
                continue; // unclassified
            }
            direct.merge(t.id(), e.getValue(), Long::sum);
            for (Taxonomy.Taxon up : taxonomy.lineage(t)) {
                clade.merge(up.id(), e.getValue(), Long::sum);
            }
        }
        long unclassified = sample.count(Calls.UNCLASSIFIED);
        if (unclassified > 0) {
            line(w, sample.fragments(), unclassified, unclassified, "U", 0, "unclassified", 0);
        }
        for (Taxonomy.Taxon root : taxonomy.children(0)) {
            tree(w, root, 0, sample.fragments(), direct, clade);
        }
    }

    private void tree(Writer w, Taxonomy.Taxon t, int depth, long total, Map<Integer, Long> direct, Map<Integer, Long> clade)
            throws IOException {
        long n = clade.getOrDefault(t.id(), 0L);
        if (n == 0) {
            return;
        }
        line(w, total, n, direct.getOrDefault(t.id(), 0L), t.rank(), t.id(), t.name(), depth);
        for (Taxonomy.Taxon child : taxonomy.children(t.id())) {
            tree(w, child, depth + 1, total, direct, clade);
        }
    }

    private static void line(Writer w, long total, long clade, long direct, String rank, int taxid, String name, int depth)
            throws IOException {
        w.write(String.format(Locale.ROOT, "%6.2f\t%d\t%d\t%s\t%d\t%s%s%n", total == 0 ? 0.0 : 100.0 * clade / total, clade,
                direct, rank, taxid, "  ".repeat(depth), name));
    }
}
