package io.scanflow.flink.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.state.KeyState;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.loader.ModelLoader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An engine with few slots (as a CUDA engine sized to its memory): idle keys make room, working keys do not. */
class SlotTableTest {

    /** The CPU engine with at most {@code capacity} open slots, like a CUDA engine's fixed slot array. */
    private static Engine withCapacity(Engine cpu, int capacity) {
        return (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("slotCapacity")) {
                        return capacity;
                    }
                    if (method.getName().equals("openSlot") && cpu.openSlots() >= capacity) {
                        throw new IllegalStateException("all " + capacity + " slots are open");
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static final class MapStore implements SlotTable.Store {
        final Map<String, KeyState> states = new HashMap<>();

        @Override
        public KeyState read(String key) {
            return states.get(key);
        }

        @Override
        public void write(String key, KeyState state, boolean busy) {
            states.put(key, state);
        }

        @Override
        public void clear(String key) {
            states.remove(key);
        }
    }

    @Test
    void aFullEngineFreesTheLeastRecentlyUsedIdleKeyAndReloadsItLater() throws Exception {
        try (Engine cpu = new CpuEngine(ModelLoader.load(Harnesses.modelDir()), 1, 64)) {
            Engine engine = withCapacity(cpu, 2);
            MapStore store = new MapStore();
            SlotTable table = new SlotTable(engine, store, 7, 100);
            KeyEntry a = table.acquire("a", 1);
            int v = engine.model().hiddenSize();
            float[][] out = {new float[v]};
            engine.prefill(new int[] {a.slot}, new int[][] {{3, 5, 7}}, Output.LAST_HIDDEN, out);
            a.dirty = true;
            a.hasState = true;
            byte[] aState = engine.saveSlot(a.slot);
            table.acquire("b", 2).inWork = true;

            KeyEntry c = table.acquire("c", 3); // the engine is full: a (idle, least recently used) makes room
            assertEquals(2, table.size());
            assertEquals(2, engine.openSlots());
            assertNotNull(store.states.get("a"), "a was written back before its slot was freed");
            assertNull(store.states.get("b"));

            c.inWork = true;
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> table.acquire("d", 4));
            assertTrue(full.getMessage().contains("slots are open"), full.getMessage());

            c.inWork = false;
            KeyEntry again = table.acquire("a", 5); // c is idle now: a comes back with its state
            assertEquals(3, engine.position(again.slot));
            assertArrayEquals(aState, engine.saveSlot(again.slot));
        }
    }

    /**
     * Known answers for the per-key seed (values from an independent re-implementation in Python): every
     * key's sampled tokens, and so every checkpoint of a sampled generation job, depend on them.
     */
    @Test
    void keySeedsArePinned() {
        assertEquals(-8123218788024468056L, SlotTable.seedFor(7, "k0"));
        assertEquals(4492782829420731913L, SlotTable.seedFor(0, "session-000"));
        assertEquals(1272903569860450917L, SlotTable.seedFor(-1, ""));
    }
}
