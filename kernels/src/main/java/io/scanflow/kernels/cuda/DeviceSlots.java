package io.scanflow.kernels.cuda;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.state.StateCodec;
import java.util.Arrays;

/**
 * The engine's state slots on the device: {@code maxSlots} states of {@code stateFloats} floats allocated up
 * front in one buffer, in the portable state layout (per layer the conv window [channels, K-1], then the
 * SSM state), which free numbers are handed out and each slot's position. Numbers are reused last freed
 * first, as the CPU engine's are.
 *
 * <p>A reset only marks the slot; the marked slots are zeroed together before the next device work
 * ({@link #flushResets}), one memset per run of adjacent slots: a job that opens a slot per DNA read resets
 * thousands per bundle.
 */
final class DeviceSlots implements AutoCloseable {
    private final SequenceModel model;
    private final Launcher l;
    private final int maxSlots;
    private final long stateFloats;
    private final DeviceBuffer states;
    private final boolean[] open;
    private final long[] positions;
    private final int[] free;
    private int freeCount;
    private int openCount;
    /** Slots reset since the last device work, in order (a slot may be listed twice; {@link #zeroPending} decides). */
    private final boolean[] zeroPending;
    private final int[] zeroList;
    private int zeroCount;
    /** The number of the call whose slots {@link #claim} checks; {@code claimedBy[slot]} is the last call that named it. */
    private final int[] claimedBy;
    private int call;
    private boolean closed;

    DeviceSlots(SequenceModel model, Launcher launcher, int maxSlots, long stateFloats) {
        this.model = model;
        this.l = launcher;
        this.maxSlots = maxSlots;
        this.stateFloats = stateFloats;
        this.states = DeviceBuffer.floats((long) maxSlots * stateFloats, "state slots");
        open = new boolean[maxSlots];
        positions = new long[maxSlots];
        free = new int[maxSlots];
        for (int i = 0; i < maxSlots; i++) {
            free[i] = maxSlots - 1 - i;
        }
        freeCount = maxSlots;
        zeroPending = new boolean[maxSlots];
        zeroList = new int[maxSlots];
        claimedBy = new int[maxSlots];
    }

    /** Device address of slot 0's state; slot s starts {@code s * stateFloats} floats further. */
    long address() {
        return states.address();
    }

    /** Floats of one slot's state. */
    long stateFloats() {
        return stateFloats;
    }

    /** Most slots open at once. */
    int capacity() {
        return maxSlots;
    }

    /** Slots open now. */
    int openCount() {
        return openCount;
    }

    /** Opens a fresh slot; throws when all are open. */
    int open() {
        if (freeCount == 0) {
            throw new IllegalStateException("all " + maxSlots + " CUDA state slots are open (raise maxSlots)");
        }
        int slot = free[--freeCount];
        open[slot] = true;
        openCount++;
        reset(slot);
        return slot;
    }

    /** Frees an open slot. */
    void close(int slot) {
        check(slot);
        open[slot] = false;
        free[freeCount++] = slot;
        openCount--;
    }

    /** Marks the slot fresh; its state is zeroed by the next {@link #flushResets}. */
    void reset(int slot) {
        check(slot);
        positions[slot] = 0;
        if (!zeroPending[slot]) {
            if (zeroCount == zeroList.length) {
                flushResets();
            }
            zeroPending[slot] = true;
            zeroList[zeroCount++] = slot;
        }
    }

    /** Zeroes the state of the slots reset since the last call; every device use of the slots comes after it. */
    void flushResets() {
        if (zeroCount == 0) {
            return;
        }
        int n = 0;
        for (int i = 0; i < zeroCount; i++) {
            int slot = zeroList[i];
            if (zeroPending[slot]) { // a later load cancels the reset; a slot may be listed twice
                zeroPending[slot] = false;
                zeroList[n++] = slot;
            }
        }
        zeroCount = 0;
        Arrays.sort(zeroList, 0, n);
        l.device.makeCurrent();
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && zeroList[j] == zeroList[j - 1] + 1) {
                j++;
            }
            states.fill((long) zeroList[i] * stateFloats, (long) (j - i) * stateFloats, 0);
            i = j;
        }
    }

    /** Replaces the slot's state with saved bytes ({@link StateCodec}); the device keeps the portable order. */
    void load(int slot, byte[] stateBytes) {
        check(slot);
        RecurrentState s = model.newState();
        StateCodec.decode(stateBytes, model.fingerprint(), s);
        zeroPending[slot] = false;
        l.device.makeCurrent();
        states.write(s.data(), 0, s.data().length, (long) slot * stateFloats);
        positions[slot] = s.position();
    }

    /** The slot's state as versioned bytes, after all work queued before. */
    byte[] save(int slot) {
        check(slot);
        RecurrentState s = model.newState();
        flushResets();
        l.device.makeCurrent();
        l.sync("saveSlot");
        states.read((long) slot * stateFloats, s.data(), 0, s.data().length);
        s.setPosition(positions[slot]);
        return StateCodec.encode(s, model.fingerprint());
    }

    /** Tokens consumed by the slot's stream. */
    long position(int slot) {
        check(slot);
        return positions[slot];
    }

    /** Counts {@code tokens} more consumed by the slot's stream. */
    void advance(int slot, long tokens) {
        positions[slot] += tokens;
    }

    /** Throws unless {@code slot} is open (and the engine is). */
    void check(int slot) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        if (slot < 0 || slot >= maxSlots || !open[slot]) {
            throw new IllegalArgumentException("slot " + slot + " is not open");
        }
    }

    /** Starts the checks of one call's slots by {@link #claim}: none may appear twice. Allocates nothing. */
    void beginCall() {
        if (++call == Integer.MAX_VALUE) {
            Arrays.fill(claimedBy, 0);
            call = 1;
        }
    }

    /** Checks that {@code slot} is open and not yet named in this call ({@code what}: the call, for the message). */
    void claim(int slot, String what) {
        check(slot);
        if (claimedBy[slot] == call) {
            throw new IllegalArgumentException("slot " + slot + " appears twice in one " + what);
        }
        claimedBy[slot] = call;
    }

    /** {@link #beginCall} and {@link #claim} for the first {@code count} of {@code slots}. */
    void claimAll(int[] slots, int count, String what) {
        beginCall();
        for (int i = 0; i < count; i++) {
            claim(slots[i], what);
        }
    }

    /** Frees the states; every later slot call throws. */
    @Override
    public void close() {
        closed = true;
        states.close();
    }
}
