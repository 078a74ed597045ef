package io.scanflow.genomics.tokenizer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Bases to token ids and back, under a model's {@link DnaVocabulary}.
 *
 * <ul>
 *   <li>A, C, G, T map to their tokens; N and the other IUPAC nucleotide codes (R Y S W K M B D H V,
 *       and U) map to N. Case does not change the id: lower case is kept as a soft-mask flag.
 *   <li>Any other character (digits, gaps '-' and '.', '*', spaces, ...) is an error:
 *       {@link UnknownBaseException} names it and its position.
 *   <li>Reverse complement works on bases (case kept) and on ids (specials kept in place).
 *   <li>{@link #windows} cuts a long sequence into windows with a stride.
 * </ul>
 * Immutable and thread-safe.
 */
public final class DnaTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String IUPAC_AMBIGUOUS = "NRYSWKMBDHVU";

    private final DnaVocabulary vocabulary;
    /** ASCII -> token id, or -1 for an unknown character. */
    private final int[] table = new int[128];

    /** A tokenizer to the ids of {@code vocabulary}. */
    public DnaTokenizer(DnaVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        java.util.Arrays.fill(table, -1);
        put('A', vocabulary.a());
        put('C', vocabulary.c());
        put('G', vocabulary.g());
        put('T', vocabulary.t());
        for (char code : IUPAC_AMBIGUOUS.toCharArray()) {
            put(code, vocabulary.n());
        }
    }

    private void put(char upper, int id) {
        table[upper] = id;
        table[Character.toLowerCase(upper)] = id;
    }

    /** The vocabulary ids come from. */
    public DnaVocabulary vocabulary() {
        return vocabulary;
    }

    /** The token id of one base, or -1 if it is not a nucleotide code. */
    public int idOf(char base) {
        return base < 128 ? table[base] : -1;
    }

    /**
     * Tokenizes bases (no specials added).
     *
     * @throws UnknownBaseException at the first character that is not a nucleotide code
     */
    public Tokens encode(CharSequence bases) {
        int[] ids = new int[bases.length()];
        BitSet soft = new BitSet();
        for (int i = 0; i < ids.length; i++) {
            char ch = bases.charAt(i);
            int id = idOf(ch);
            if (id < 0) {
                throw new UnknownBaseException(i, ch);
            }
            ids[i] = id;
            if (Character.isLowerCase(ch)) {
                soft.set(i);
            }
        }
        return new Tokens(ids, soft);
    }

    /** Token ids only; same rules as {@link #encode}. */
    public int[] ids(CharSequence bases) {
        int[] ids = new int[bases.length()];
        for (int i = 0; i < ids.length; i++) {
            char ch = bases.charAt(i);
            int id = idOf(ch);
            if (id < 0) {
                throw new UnknownBaseException(i, ch);
            }
            ids[i] = id;
        }
        return ids;
    }

    /** {@code <begin>} + ids + {@code <end>}. */
    public int[] withBeginEnd(int[] ids) {
        int[] out = new int[ids.length + 2];
        out[0] = vocabulary.begin();
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = vocabulary.end();
        return out;
    }

    /** Two sequences joined by {@code <sep>}: left + sep + right. */
    public int[] join(int[] left, int[] right) {
        int[] out = new int[left.length + 1 + right.length];
        System.arraycopy(left, 0, out, 0, left.length);
        out[left.length] = vocabulary.separator();
        System.arraycopy(right, 0, out, left.length + 1, right.length);
        return out;
    }

    /** Bases back from ids (upper case; specials as their names). */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.append(vocabulary.tokens().get(id));
        }
        return sb.toString();
    }

    /** Reverse complement of token ids: reversed, each base complemented, specials unchanged. */
    public int[] reverseComplement(int[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[ids.length - 1 - i] = vocabulary.complement(ids[i]);
        }
        return out;
    }

    /**
     * Reverse complement of bases: A{@literal <->}T, C{@literal <->}G (and the IUPAC pairs R{@literal <->}Y,
     * K{@literal <->}M, B{@literal <->}V, D{@literal <->}H;
     * S, W, N stay), case kept so a soft-masked base stays soft-masked.
     *
     * @throws UnknownBaseException for a character that is not a nucleotide code
     */
    public static String reverseComplement(CharSequence bases) {
        char[] out = new char[bases.length()];
        for (int i = 0; i < out.length; i++) {
            char ch = bases.charAt(i);
            char comp = complementBase(Character.toUpperCase(ch));
            if (comp == 0) {
                throw new UnknownBaseException(i, ch);
            }
            out[out.length - 1 - i] = Character.isLowerCase(ch) ? Character.toLowerCase(comp) : comp;
        }
        return new String(out);
    }

    private static char complementBase(char upper) {
        switch (upper) {
            case 'A': return 'T';
            case 'T': case 'U': return 'A';
            case 'C': return 'G';
            case 'G': return 'C';
            case 'R': return 'Y';
            case 'Y': return 'R';
            case 'K': return 'M';
            case 'M': return 'K';
            case 'B': return 'V';
            case 'V': return 'B';
            case 'D': return 'H';
            case 'H': return 'D';
            case 'S': return 'S';
            case 'W': return 'W';
            case 'N': return 'N';
            default: return 0;
        }
    }

    /**
     * Windows of {@code window} positions every {@code stride} positions over a sequence of
     * {@code length}: starts 0, stride, 2 stride, ... up to the first window that reaches the end
     * (that one may be shorter). A sequence no longer than the window is one window. Every position
     * is covered when {@code stride <= window}.
     *
     * @return [start, end) pairs
     */
    public static List<int[]> windows(int length, int window, int stride) {
        if (window < 1 || stride < 1) {
            throw new IllegalArgumentException("window and stride must be positive, found " + window + " and " + stride);
        }
        List<int[]> out = new ArrayList<>();
        for (int start = 0; ; start += stride) {
            int end = Math.min(length, start + window);
            out.add(new int[] {start, end});
            if (end >= length) {
                return out;
            }
        }
    }
}
