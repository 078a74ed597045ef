package io.scanflow.jobs.dna;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The NCBI taxonomy of a model's labels, from {@code taxonomy.tsv} in the model folder: one taxon a
 * line, {@code taxid parent rank name label}, tab-separated, parents before children, the root's
 * parent 0; {@code label} is the model label a taxon stands for (empty for genera and families that
 * only group labels). Lines starting with '#' are comments.
 */
public final class Taxonomy {
    static final String FILE = "taxonomy.tsv";
    private static final Set<String> RANKS = Set.of("R", "D", "K", "P", "C", "O", "F", "G", "S");

    /** One taxon; {@code label} is null where no model label maps to it. */
    public record Taxon(int id, int parent, String rank, String name, String label) {
    }

    private final Map<Integer, Taxon> taxa;
    private final Map<String, Taxon> byLabel;

    private Taxonomy(Map<Integer, Taxon> taxa, Map<String, Taxon> byLabel) {
        this.taxa = taxa;
        this.byLabel = byLabel;
    }

    /** The model's taxonomy, or empty when the model ships none. */
    public static Optional<Taxonomy> load(Path modelDir, List<String> labels) throws IOException {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<Integer, Taxon> taxa = new LinkedHashMap<>();
        Map<String, Taxon> byLabel = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String at = file + ": line " + (n + 1) + ": ";
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new IllegalArgumentException(at + "expected 5 tab-separated fields (taxid, parent, rank, name, label), found " + f.length);
            }
            Taxon t = new Taxon(number(f[0], at + "field 'taxid'"), number(f[1], at + "field 'parent'"), f[2], f[3],
                    f[4].isEmpty() ? null : f[4]);
            if (!RANKS.contains(t.rank())) {
                throw new IllegalArgumentException(at + "field 'rank': expected one of " + RANKS + ", found '" + t.rank() + "'");
            }
            if (t.parent() != 0 && !taxa.containsKey(t.parent())) {
                throw new IllegalArgumentException(at + "field 'parent': expected a taxid of an earlier line, found " + t.parent());
            }
            if (taxa.put(t.id(), t) != null) {
                throw new IllegalArgumentException(at + "field 'taxid': " + t.id() + " is listed twice");
            }
            if (t.label() != null) {
                if (!labels.contains(t.label())) {
                    throw new IllegalArgumentException(at + "field 'label': expected one of the model's labels " + labels
                            + ", found '" + t.label() + "'");
                }
                byLabel.put(t.label(), t);
            }
        }
        for (String label : labels) {
            if (!byLabel.containsKey(label)) {
                throw new IllegalArgumentException(file + ": expected a line for the model label '" + label + "', found none");
            }
        }
        return Optional.of(new Taxonomy(taxa, byLabel));
    }

    private static int number(String s, String where) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": expected a number, found '" + s + "'");
        }
    }

    public Taxon ofLabel(String label) {
        return byLabel.get(label);
    }

    /** Taxa in file order (parents before children). */
    public List<Taxon> taxa() {
        return new ArrayList<>(taxa.values());
    }

    public List<Taxon> children(int id) {
        return taxa.values().stream().filter(t -> t.parent() == id).toList();
    }

    /** The taxon and its ancestors, up to the root. */
    public List<Taxon> lineage(Taxon t) {
        List<Taxon> out = new ArrayList<>();
        for (Taxon x = t; x != null; x = taxa.get(x.parent())) {
            out.add(x);
        }
        return out;
    }
}
