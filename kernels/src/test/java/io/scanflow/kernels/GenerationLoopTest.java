package io.scanflow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.testing.Fixture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Engine#generate}: the default and the CPU engine's equal the caller's own step + sampler loop.
 * The fixtures are ones whose tokens vary under greedy and sampled decoding.
 */
class GenerationLoopTest {
    private static final int COUNT = 5;
    private static final List<SamplingConfig> CONFIGS = List.of(SamplingConfig.greedyDecoding(),
            SamplingConfig.of(1f, 0, 1f), SamplingConfig.of(0.8f, 7, 0.9f));

    @ParameterizedTest
    @ValueSource(strings = {"mamba1-untied-bias", "mamba2-groups"})
    void generateEqualsAHandLoopOfStepAndSampler(String name) {
        SequenceModel model = CpuEngine.loadModel(Fixture.root().resolve("models").resolve(name));
        int v = model.vocabSize();
        for (SamplingConfig sampling : CONFIGS) {
            for (int steps : new int[] {1, 7, 20}) {
                try (CpuEngine hand = new CpuEngine(model, 1, 8); CpuEngine cpu = new CpuEngine(model, 2, 8);
                     CpuEngine inner = new CpuEngine(model, 1, 8)) {
                    Engine byDefault = new DefaultGenerate(inner);
                    int[] first = new int[COUNT];
                    long[] seeds = new long[COUNT];
                    for (int i = 0; i < COUNT; i++) {
                        first[i] = (i * 11 + 3) % v;
                        seeds[i] = 1_000L * i + 17;
                    }
                    int[] handSlots = prompted(hand, v);
                    int[] expected = new int[COUNT * steps];
                    long[] expectedRng = handLoop(hand, handSlots, first, steps, sampling, seeds, expected);

                    for (Engine e : List.of(byDefault, (Engine) cpu)) {
                        int[] slots = prompted(e, v);
                        long[] rng = seeds.clone();
                        int[] out = new int[COUNT * steps];
                        e.generate(slots, first, COUNT, steps, sampling, rng, out);
                        String what = e.backend() + " " + name + " " + sampling + " steps " + steps;
                        assertArrayEquals(expected, out, what);
                        assertArrayEquals(sampling.greedy() ? seeds : expectedRng, rng, what);
                        for (int i = 0; i < COUNT; i++) {
                            assertEquals(hand.position(handSlots[i]), e.position(slots[i]), what);
                            assertArrayEquals(hand.saveSlot(handSlots[i]), e.saveSlot(slots[i]), what);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void twoCallsContinueWhereOneCallWould(int split) {
        SequenceModel model = CpuEngine.loadModel(Fixture.root().resolve("models").resolve("mamba1-untied-bias"));
        int v = model.vocabSize();
        SamplingConfig sampling = SamplingConfig.of(0.9f, 20, 0.95f);
        int steps = 9;
        try (CpuEngine a = new CpuEngine(model, 1, 8); CpuEngine b = new CpuEngine(model, 1, 8)) {
            int[] first = {1, 2, 3};
            int[] sa = prompted(a, v);
            long[] ra = {5, 6, 7};
            int[] whole = new int[3 * steps];
            a.generate(sa, first, 3, steps, sampling, ra, whole);

            int[] sb = prompted(b, v);
            long[] rb = {5, 6, 7};
            int[] one = new int[3 * split];
            int[] two = new int[3 * (steps - split)];
            b.generate(sb, first, 3, split, sampling, rb, one);
            int[] next = {one[split - 1], one[2 * split - 1], one[3 * split - 1]};
            b.generate(sb, next, 3, steps - split, sampling, rb, two);
            for (int i = 0; i < 3; i++) {
                int[] joined = new int[steps];
                System.arraycopy(one, i * split, joined, 0, split);
                System.arraycopy(two, i * (steps - split), joined, split, steps - split);
                assertArrayEquals(Arrays.copyOfRange(whole, i * steps, (i + 1) * steps), joined, "slot " + i);
                assertArrayEquals(a.saveSlot(sa[i]), b.saveSlot(sb[i]));
            }
            assertArrayEquals(ra, rb);
        }
    }

    @Test
    void checksItsArguments() {
        SequenceModel model = CpuEngine.loadModel(Fixture.root().resolve("models").resolve("mamba1-untied-bias"));
        try (CpuEngine e = new CpuEngine(model, 1, 8)) {
            int[] slots = {e.openSlot()};
            assertThrows(IllegalArgumentException.class,
                    () -> e.generate(slots, new int[] {1}, 1, 2, SamplingConfig.of(1f, 0, 1f), null, new int[2]));
            assertThrows(IllegalArgumentException.class,
                    () -> e.generate(slots, new int[] {1}, 1, 3, SamplingConfig.greedyDecoding(), null, new int[2]));
        }
    }

    /** Opens {@link #COUNT} slots, each with its own short prompt prefilled. */
    private static int[] prompted(Engine e, int v) {
        int[] slots = new int[COUNT];
        int[][] prompts = new int[COUNT][];
        for (int i = 0; i < COUNT; i++) {
            slots[i] = e.openSlot();
            prompts[i] = new int[1 + i];
            for (int j = 0; j <= i; j++) {
                prompts[i][j] = (7 * i + 5 * j + 1) % v;
            }
        }
        e.prefill(slots, prompts, Output.NONE, null);
        return slots;
    }

    private static long[] handLoop(Engine e, int[] slots, int[] first, int steps, SamplingConfig sampling,
                                   long[] seeds, int[] out) {
        int v = e.model().vocabSize();
        Sampler sampler = new Sampler(sampling, v);
        RandomState[] rng = new RandomState[COUNT];
        for (int i = 0; i < COUNT; i++) {
            rng[i] = new RandomState(seeds[i]);
        }
        float[] logits = new float[COUNT * v];
        int[] fed = first.clone();
        for (int t = 0; t < steps; t++) {
            e.step(slots, fed, COUNT, Output.LAST_LOGITS, logits);
            for (int i = 0; i < COUNT; i++) {
                fed[i] = sampler.sample(logits, i * v, v, rng[i]);
                out[i * steps + t] = fed[i];
            }
        }
        long[] states = new long[COUNT];
        for (int i = 0; i < COUNT; i++) {
            states[i] = rng[i].state();
        }
        return states;
    }

    /** Every method but {@code generate} delegated, so {@link Engine#generate}'s default runs. */
    private static final class DefaultGenerate implements Engine {
        private final Engine inner;

        DefaultGenerate(Engine inner) {
            this.inner = inner;
        }

        @Override
        public String backend() {
            return "default";
        }

        @Override
        public SequenceModel model() {
            return inner.model();
        }

        @Override
        public int openSlot() {
            return inner.openSlot();
        }

        @Override
        public void closeSlot(int slot) {
            inner.closeSlot(slot);
        }

        @Override
        public void resetSlot(int slot) {
            inner.resetSlot(slot);
        }

        @Override
        public void loadSlot(int slot, byte[] stateBytes) {
            inner.loadSlot(slot, stateBytes);
        }

        @Override
        public byte[] saveSlot(int slot) {
            return inner.saveSlot(slot);
        }

        @Override
        public long position(int slot) {
            return inner.position(slot);
        }

        @Override
        public int openSlots() {
            return inner.openSlots();
        }

        @Override
        public void prefill(int[] slots, int[][] tokens, Output output, float[][] out) {
            inner.prefill(slots, tokens, output, out);
        }

        @Override
        public void step(int[] slots, int[] tokens, int count, Output output, float[] out) {
            inner.step(slots, tokens, count, output, out);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
