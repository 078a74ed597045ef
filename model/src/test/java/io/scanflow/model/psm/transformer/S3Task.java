package io.scanflow.model.psm.transformer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * S3 state tracking as {@code scripts/training/state_tracking.py} defines it: inputs are uniform elements of
 * the symmetric group S3, numbered in the order Python's {@code itertools.permutations(range(3))} lists
 * them, and the label at every position is the running product x_1 x_2 ... x_t, where p q applies p
 * first, then q.
 */
final class S3Task {
    static final int ELEMENTS = 6;
    private static final int[][] PERMUTATIONS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    private static final int[][] PRODUCT = new int[ELEMENTS][ELEMENTS];
    private static final int[] SIGN = new int[ELEMENTS];

    static {
        for (int p = 0; p < ELEMENTS; p++) {
            for (int q = 0; q < ELEMENTS; q++) {
                int[] composed = new int[3];
                for (int i = 0; i < 3; i++) {
                    composed[i] = PERMUTATIONS[q][PERMUTATIONS[p][i]];
                }
                PRODUCT[p][q] = indexOf(composed);
            }
            int[] perm = PERMUTATIONS[p];
            SIGN[p] = ((perm[0] > perm[1] ? 1 : 0) + (perm[0] > perm[2] ? 1 : 0) + (perm[1] > perm[2] ? 1 : 0)) % 2;
        }
    }

    private S3Task() {}

    private static int indexOf(int[] perm) {
        for (int i = 0; i < ELEMENTS; i++) {
            if (Arrays.equals(PERMUTATIONS[i], perm)) {
                return i;
            }
        }
        throw new IllegalStateException("not a permutation of 0..2");
    }

    static int product(int p, int q) {
        return PRODUCT[p][q];
    }

    /** 1 for the odd permutations (the quotient S3 -> Z2), 0 for the even ones. */
    static int sign(int element) {
        return SIGN[element];
    }

    static int[] inputs(int length, SplittableRandom random) {
        int[] x = new int[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextInt(ELEMENTS);
        }
        return x;
    }

    /** The running products of {@code inputs}. */
    static int[] labels(int[] inputs) {
        int[] y = new int[inputs.length];
        int acc = inputs[0];
        y[0] = acc;
        for (int t = 1; t < inputs.length; t++) {
            acc = product(acc, inputs[t]);
            y[t] = acc;
        }
        return y;
    }
}
