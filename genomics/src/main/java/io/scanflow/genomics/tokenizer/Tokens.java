package io.scanflow.genomics.tokenizer;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A tokenized sequence: token ids and, per position, whether the base was soft-masked (written in
 * lower case). Immutable.
 */
public final class Tokens {
    private final int[] ids;
    private final BitSet softMasked;

    /** Copies of {@code ids} and of the soft-mask bits (one per position). */
    public Tokens(int[] ids, BitSet softMasked) {
        this.ids = ids.clone();
        this.softMasked = (BitSet) softMasked.clone();
    }

    /** A copy of the ids. */
    public int[] ids() {
        return ids.clone();
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }

    /** The id at {@code position}. */
    public int id(int position) {
        return ids[position];
    }

    /** Whether the base at {@code position} was lower case (soft-masked). */
    public boolean softMasked(int position) {
        return softMasked.get(position);
    }

    /** Positions that were lower case. */
    public BitSet softMask() {
        return (BitSet) softMasked.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tokens && Arrays.equals(((Tokens) o).ids, ids) && ((Tokens) o).softMasked.equals(softMasked);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + softMasked.hashCode();
    }

    @Override
    public String toString() {
        return "Tokens" + Arrays.toString(ids) + (softMasked.isEmpty() ? "" : " soft-masked " + softMasked);
    }
}
