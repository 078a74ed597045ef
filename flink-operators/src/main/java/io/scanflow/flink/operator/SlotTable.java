package io.scanflow.flink.operator;

import io.scanflow.flink.state.KeyState;
import io.scanflow.kernels.Engine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Which keys hold an engine slot. A key gets a slot on first use (loading its keyed state, if any);
 * dirty keys are written back before every barrier; idle keys beyond the capacity are written back
 * and lose their slot (least recently used first); keys idle past the state TTL are dropped.
 */
final class SlotTable {

    /** Keyed state of one key; every call sets the backend's current key. */
    interface Store {
        KeyState read(String key) throws Exception;

        void write(String key, KeyState state, boolean busy) throws Exception;

        void clear(String key) throws Exception;
    }

    private final Engine engine;
    private final Store store;
    private final long seed;
    private final int capacity;
    /** Access order: iteration starts at the least recently used key. */
    private final LinkedHashMap<String, KeyEntry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long lastWriteBackBytes;

    SlotTable(Engine engine, Store store, long seed, int capacity) {
        this.engine = engine;
        this.store = store;
        this.seed = seed;
        this.capacity = capacity;
    }

    /** The key's entry, loading its state into a fresh slot if it has none. */
    KeyEntry acquire(String key, long now) throws Exception {
        KeyEntry e = entries.get(key);
        if (e == null) {
            if (engine.openSlots() >= engine.slotCapacity()) {
                evictOne(); // before the read: writing the evicted key back moves the backend's current key
            }
            KeyState saved = store.read(key);
            int slot;
            try {
                slot = engine.openSlot();
            } catch (RuntimeException ex) {
                throw new IllegalStateException("cannot open a " + engine.backend() + " engine slot for key '" + key
                        + "' (" + entries.size() + " slots held): " + ex.getMessage(), ex);
            }
            try {
                e = new KeyEntry(key, slot, seedFor(seed, key));
                if (saved != null) {
                    if (saved.model() != null) {
                        engine.loadSlot(slot, saved.model());
                    }
                    e.restore(saved);
                }
            } catch (RuntimeException ex) {
                engine.closeSlot(slot);
                throw new IllegalStateException("cannot restore the model state of key '" + key + "': " + ex.getMessage(), ex);
            }
            entries.put(key, e);
        }
        e.lastUsed = now;
        return e;
    }

    /**
     * Frees the slot of the least recently used key that is idle (no session, no work queued in this
     * round), writing it back first; with none idle, {@link Engine#openSlot} then says the slots are full.
     */
    private void evictOne() throws Exception {
        Iterator<KeyEntry> it = entries.values().iterator();
        while (it.hasNext()) {
            KeyEntry e = it.next();
            if (!e.busy() && !e.inWork) {
                writeBack(e);
                engine.closeSlot(e.slot);
                it.remove();
                return;
            }
        }
    }

    /** The random seed of a key's sampler: fixed by the job's seed and the key alone. */
    static long seedFor(long seed, String key) {
        long h = seed ^ 0x9E3779B97F4A7C15L * (key.hashCode() + 0x632BE59BD9B4E019L);
        // One SplitMix64 finaliser round so neighbouring keys start far apart.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** Ends the key's stream: the slot returns to the fresh state; queued records stay. */
    void resetStream(KeyEntry e) {
        engine.resetSlot(e.slot);
        e.resetStream(seedFor(seed, e.key));
    }

    /** Writes every dirty entry to keyed state; returns the model state bytes written. */
    long writeBackAll() throws Exception {
        long bytes = 0;
        for (KeyEntry e : entries.values()) {
            bytes += writeBack(e);
        }
        lastWriteBackBytes = bytes;
        return bytes;
    }

    private long writeBack(KeyEntry e) throws Exception {
        if (!e.dirty) {
            return 0;
        }
        e.dirty = false;
        if (!e.hasState && !e.busy()) {
            store.clear(e.key);
            return 0;
        }
        byte[] model = engine.position(e.slot) == 0 ? null : engine.saveSlot(e.slot);
        store.write(e.key, e.snapshot(model), e.busy());
        return model == null ? 0 : model.length;
    }

    /**
     * Frees slots: keys idle for {@code ttlMillis} (if positive) are dropped with their state; then,
     * beyond the capacity, least recently used idle keys are written back and freed. Busy keys stay.
     */
    void trim(long now, long ttlMillis) throws Exception {
        if (ttlMillis > 0) {
            Iterator<KeyEntry> it = entries.values().iterator();
            while (it.hasNext()) {
                KeyEntry e = it.next();
                if (!e.busy() && !e.inWork && now - e.lastUsed >= ttlMillis) {
                    store.clear(e.key);
                    engine.closeSlot(e.slot);
                    it.remove();
                }
            }
        }
        if (entries.size() > capacity) {
            Iterator<KeyEntry> it = entries.values().iterator();
            while (entries.size() > capacity && it.hasNext()) {
                KeyEntry e = it.next();
                if (!e.busy() && !e.inWork) {
                    writeBack(e);
                    engine.closeSlot(e.slot);
                    it.remove();
                }
            }
        }
    }

    /** Drops every entry without writing (the operator is closing; state is as of the last barrier). */
    void clear() {
        for (KeyEntry e : entries.values()) {
            engine.closeSlot(e.slot);
        }
        entries.clear();
    }

    Collection<KeyEntry> entries() {
        return entries.values();
    }

    List<KeyEntry> busyEntries() {
        List<KeyEntry> busy = new ArrayList<>();
        for (KeyEntry e : entries.values()) {
            if (e.busy()) {
                busy.add(e);
            }
        }
        return busy;
    }

    int size() {
        return entries.size();
    }

    long lastWriteBackBytes() {
        return lastWriteBackBytes;
    }
}
