package io.scanflow.kernels.cuda;

/**
 * Packs the requests of one prefill call into passes of at most {@code maxRows} token rows: each pass takes
 * the requests with tokens left, in turn from where the previous pass stopped, each at most one chunk, until
 * the rows run out. A pass's rows are its requests' tokens back to back; its descriptors are four int
 * columns of {@link #count} entries (first row, length, slot, request index), the layout the kernels read.
 * Host work only; the caller uploads {@link #tokens} and {@link #descriptors}.
 */
final class PrefillPacker {
    private final int maxRows;
    private final int[] tokens;
    private final int[] descriptors;
    private int[][] requests;
    private int[] slots;
    private int chunk;
    private int[] done = new int[0];
    private int next;
    private int[] passRequest;
    private int[] passStart;
    private int[] passLength;
    private int rows, count, maxLength;

    /** @param maxSlots most requests in one pass (one per slot) */
    PrefillPacker(int maxRows, int maxSlots) {
        this.maxRows = maxRows;
        this.tokens = new int[maxRows];
        this.descriptors = new int[4 * maxSlots];
        this.passRequest = new int[maxSlots];
        this.passStart = new int[maxSlots];
        this.passLength = new int[maxSlots];
    }

    /** Starts a call: {@code requests[i]} goes to {@code slots[i]}, at most {@code chunk} tokens per pass. */
    void start(int[] slots, int[][] requests, int chunk) {
        this.slots = slots;
        this.requests = requests;
        this.chunk = chunk;
        if (done.length < requests.length) {
            done = new int[requests.length];
        }
        java.util.Arrays.fill(done, 0, requests.length, 0);
        next = 0;
    }

    /** Packs the next pass; false when every request is done. */
    boolean nextPass() {
        int n = requests.length;
        rows = 0;
        count = 0;
        maxLength = 0;
        for (int k = 0; k < n && rows < maxRows; k++) {
            int i = (next + k) % n;
            int left = requests[i].length - done[i];
            if (left <= 0) {
                continue;
            }
            int take = Math.min(Math.min(left, chunk), maxRows - rows);
            passRequest[count] = i;
            passStart[count] = rows;
            passLength[count] = take;
            System.arraycopy(requests[i], done[i], tokens, rows, take);
            rows += take;
            maxLength = Math.max(maxLength, take);
            count++;
        }
        if (count == 0) {
            return false;
        }
        next = (passRequest[count - 1] + 1) % n;
        for (int q = 0; q < count; q++) {
            descriptors[q] = passStart[q];
            descriptors[count + q] = passLength[q];
            descriptors[2 * count + q] = slots[passRequest[q]];
            descriptors[3 * count + q] = passRequest[q];
        }
        return true;
    }

    /** Marks the pass's tokens consumed (call after the pass's outputs were taken). */
    void finishPass() {
        for (int q = 0; q < count; q++) {
            done[passRequest[q]] += passLength[q];
        }
    }

    /** Token rows of the pass. */
    int rows() {
        return rows;
    }

    /** Requests in the pass. */
    int count() {
        return count;
    }

    /** Most tokens of one request in the pass. */
    int maxLength() {
        return maxLength;
    }

    /** The pass's tokens, {@link #rows} of them. */
    int[] tokens() {
        return tokens;
    }

    /** The pass's descriptors, {@code 4 * count} ints (see the class comment). */
    int[] descriptors() {
        return descriptors;
    }

    /** Index into the call's requests of the pass's q-th request. */
    int request(int q) {
        return passRequest[q];
    }

    /** First row of the pass's q-th request. */
    int start(int q) {
        return passStart[q];
    }

    /** Tokens of the pass's q-th request. */
    int length(int q) {
        return passLength[q];
    }

    /** Tokens of request i consumed by the passes before this one. */
    int done(int i) {
        return done[i];
    }

    /** Whether the pass's q-th request ends in this pass. */
    boolean finishes(int q) {
        int i = passRequest[q];
        return done[i] + passLength[q] == requests[i].length;
    }
}
