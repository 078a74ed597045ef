package io.scanflow.genomics.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.model.config.ConfigException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Token ids of a DNA model: the five bases A, C, G, T, N and four specials (pad, begin, end,
 * separator). The vocabulary belongs to the model: it is stored in the model's {@code config.json}
 * as {@code "dna_vocabulary": ["<pad>", "<begin>", "<end>", "<sep>", "A", "C", "G", "T", "N"]}
 * (the position in the list is the id), and {@link #fromModel} reads it back.
 */
public final class DnaVocabulary implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The field of a model's {@code config.json} that lists its DNA tokens. */
    public static final String FIELD = "dna_vocabulary";
    /** The padding token. */
    public static final String PAD = "<pad>";
    /** The begin-of-sequence token. */
    public static final String BEGIN = "<begin>";
    /** The end-of-sequence token. */
    public static final String END = "<end>";
    /** The separator token. */
    public static final String SEPARATOR = "<sep>";
    private static final List<String> REQUIRED = List.of(PAD, BEGIN, END, SEPARATOR, "A", "C", "G", "T", "N");

    private final List<String> tokens;
    private final int pad;
    private final int begin;
    private final int end;
    private final int separator;
    private final int a;
    private final int c;
    private final int g;
    private final int t;
    private final int n;

    private DnaVocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.pad = tokens.indexOf(PAD);
        this.begin = tokens.indexOf(BEGIN);
        this.end = tokens.indexOf(END);
        this.separator = tokens.indexOf(SEPARATOR);
        this.a = tokens.indexOf("A");
        this.c = tokens.indexOf("C");
        this.g = tokens.indexOf("G");
        this.t = tokens.indexOf("T");
        this.n = tokens.indexOf("N");
    }

    /** The layout ScanFlow's DNA models use: pad 0, begin 1, end 2, separator 3, A 4, C 5, G 6, T 7, N 8. */
    public static DnaVocabulary standard() {
        return new DnaVocabulary(REQUIRED);
    }

    /**
     * A vocabulary from its token list.
     *
     * @throws IllegalArgumentException naming the missing or repeated token
     */
    public static DnaVocabulary of(List<String> tokens) {
        for (String required : REQUIRED) {
            int first = tokens.indexOf(required);
            if (first < 0) {
                throw new IllegalArgumentException("expected token " + required + " in the DNA vocabulary, found " + tokens);
            }
            if (tokens.lastIndexOf(required) != first) {
                throw new IllegalArgumentException("token " + required + " appears twice in the DNA vocabulary " + tokens);
            }
        }
        return new DnaVocabulary(tokens);
    }

    /**
     * The vocabulary in a model folder's {@code config.json} ({@value #FIELD}).
     *
     * @throws ConfigException naming the file and field when it is missing or malformed
     */
    public static DnaVocabulary fromModel(Path modelDirectory) {
        Path file = modelDirectory.resolve("config.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException(file, "cannot be read: " + e.getMessage(), e);
        }
        JsonNode v = root == null ? null : root.get(FIELD);
        if (v == null || !v.isArray()) {
            throw new ConfigException(file, FIELD, "expected an array of token strings (the model's DNA vocabulary), found "
                    + (v == null ? "nothing" : v));
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new ConfigException(file, FIELD + "[" + i + "]", "expected a string, found " + v.get(i));
            }
            tokens.add(v.get(i).textValue());
        }
        try {
            return of(tokens);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, FIELD, e.getMessage());
        }
    }

    /** The tokens, index = id. */
    public List<String> tokens() {
        return tokens;
    }

    /** Number of tokens. */
    public int size() {
        return tokens.size();
    }

    /** Id of the padding token. */
    public int pad() {
        return pad;
    }

    /** Id of the begin-of-sequence token. */
    public int begin() {
        return begin;
    }

    /** Id of the end-of-sequence token. */
    public int end() {
        return end;
    }

    /** Id of the separator token. */
    public int separator() {
        return separator;
    }

    /** Id of base A. */
    public int a() {
        return a;
    }

    /** Id of base C. */
    public int c() {
        return c;
    }

    /** Id of base G. */
    public int g() {
        return g;
    }

    /** Id of base T. */
    public int t() {
        return t;
    }

    /** Id of N (any base). */
    public int n() {
        return n;
    }

    /** The id of the base's complement (A{@literal <->}T, C{@literal <->}G), N for N; specials map to themselves. */
    public int complement(int id) {
        if (id == a) {
            return t;
        }
        if (id == t) {
            return a;
        }
        if (id == c) {
            return g;
        }
        if (id == g) {
            return c;
        }
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnaVocabulary && ((DnaVocabulary) o).tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return "DnaVocabulary" + tokens;
    }
}
