package io.scanflow.model.psm.transformer;

import io.scanflow.model.psm.Bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.config.ConfigException;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.psm.ParallelScan;
import io.scanflow.model.psm.ScanState;
import io.scanflow.model.state.StateCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Transformer-PSM behind the {@link SequenceModel} interface, driven the way the CPU engine
 * drives any model: prefill in chunks of the workspace's rows, batched steps over many keys, state
 * bytes saved and loaded through the model state codec. Every way of feeding a stream gives the
 * same hidden rows, logits and state bytes, bit for bit, as the parallel evaluator over the whole
 * sequence.
 */
class TransformerPsmModelTest {

    private static final int C = 3;

    private static TransformerPsmModel model(int maxChunksLog2) {
        return new TransformerPsmModel(TinyTransformerPsm.random(TinyTransformerPsm.config(C, maxChunksLog2), 21));
    }

    private static int[] tokens(int length, long seed) {
        return TransformerPsmDualityTest.tokens(length, 5, seed).stream().mapToInt(Integer::intValue).toArray();
    }

    /** Hidden rows [length, d] from the parallel evaluator: every chunk's Inf, then the tail's. */
    private static float[] parallelHidden(TransformerPsm psm, int[] tokens) {
        List<Integer> seq = Arrays.stream(tokens).boxed().toList();
        ParallelScan.Result<Integer, float[], float[][]> r = ParallelScan.sequential(psm).evaluate(seq);
        int d = psm.config().hiddenSize();
        float[] out = new float[tokens.length * d];
        int row = 0;
        for (float[][] chunk : r.outputs()) {
            for (float[] h : chunk) {
                System.arraycopy(h, 0, out, d * row++, d);
            }
        }
        if (r.tailOutput() != null) {
            for (float[] h : r.tailOutput()) {
                System.arraycopy(h, 0, out, d * row++, d);
            }
        }
        assertEquals(tokens.length, row);
        return out;
    }

    private static RecurrentState parallelState(TransformerPsmModel m, int[] tokens) {
        List<Integer> seq = Arrays.stream(tokens).boxed().toList();
        RecurrentState state = m.newState();
        m.setScanState(state, ParallelScan.sequential(m.psm()).evaluate(seq).toStreamState());
        return state;
    }

    /** Prefill in pieces of at most ws.maxRows() tokens, as CpuEngine does. */
    private static float[] prefillInPieces(SequenceModel m, RecurrentState state, int[] tokens, int from, int to,
                                           Workspace ws) {
        int d = m.hiddenSize();
        float[] out = new float[(to - from) * d];
        for (int done = from; done < to; ) {
            int rows = Math.min(ws.maxRows(), to - done);
            m.prefill(state, tokens, done, rows, out, (done - from) * d, ws);
            done += rows;
        }
        return out;
    }

    @Test
    void testPrefillAndStepGiveTheParallelEvaluatorsRowsAndStateBitForBit() {
        TransformerPsmModel m = model(12);
        int d = m.hiddenSize();
        int[] seq = tokens(3 * 41 + 2, 1);
        float[] expected = parallelHidden(m.psm(), seq);
        byte[] expectedState = StateCodec.encode(parallelState(m, seq), m.fingerprint());

        for (int maxRows : new int[] {1, 2, 3, 7, 64, 1000}) {
            Workspace ws = m.newWorkspace(maxRows);
            RecurrentState state = m.newState();
            float[] hidden = prefillInPieces(m, state, seq, 0, seq.length, ws);
            Bits.assertBitsEqual(expected, hidden, "prefill in pieces of " + maxRows);
            assertEquals(seq.length, state.position());
            assertArrayEquals(expectedState, StateCodec.encode(state, m.fingerprint()), "state, pieces of " + maxRows);
        }

        // Step one token at a time, with a save and load of the state bytes at a random point.
        Workspace ws = m.newWorkspace(4);
        RecurrentState state = m.newState();
        float[] hidden = new float[seq.length * d];
        float[] row = new float[d];
        int cut = 50;
        for (int i = 0; i < seq.length; i++) {
            if (i == cut) {
                byte[] saved = StateCodec.encode(state, m.fingerprint());
                state = m.newState();
                StateCodec.decode(saved, m.fingerprint(), state);
            }
            m.step(new RecurrentState[] {state}, new int[] {seq[i]}, 0, 1, row, 0, ws);
            System.arraycopy(row, 0, hidden, i * d, d);
        }
        Bits.assertBitsEqual(expected, hidden, "step by step");
        assertArrayEquals(expectedState, StateCodec.encode(state, m.fingerprint()), "state after steps");

        // Logits: the SequenceModel head and the PSM's own are the same operations.
        float[] logits = new float[seq.length * m.vocabSize()];
        m.logits(hidden, 0, seq.length, logits, 0);
        float[] last = m.psm().logits(Arrays.copyOfRange(hidden, (seq.length - 1) * d, seq.length * d));
        Bits.assertBitsEqual(last, Arrays.copyOfRange(logits, (seq.length - 1) * m.vocabSize(), logits.length), "logits");
    }

    @Test
    void testBatchedStepOverManyKeysEqualsEachKeyAlone() {
        TransformerPsmModel m = model(12);
        int d = m.hiddenSize();
        int keys = 9;
        int steps = 35;
        Random random = new Random(3);
        int[][] seqs = new int[keys][];
        int[] heads = new int[keys];
        RecurrentState[] states = new RecurrentState[keys + 2]; // slots 0 and keys+1 are not stepped
        for (int k = 0; k < keys; k++) {
            // Keys start at different points of their chunks: a few tokens are prefilled first.
            heads[k] = random.nextInt(5);
            seqs[k] = tokens(heads[k] + steps, 100 + k);
            states[1 + k] = m.newState();
            prefillInPieces(m, states[1 + k], seqs[k], 0, heads[k], m.newWorkspace(2));
        }
        // One batched call per position over all keys: state offset + i takes tokens[offset + i].
        float[][] got = new float[keys][steps * d];
        Workspace ws = m.newWorkspace(16);
        int[] batch = new int[keys + 2];
        float[] out = new float[(keys + 2) * d];
        for (int t = 0; t < steps; t++) {
            for (int k = 0; k < keys; k++) {
                batch[1 + k] = seqs[k][heads[k] + t];
            }
            m.step(states, batch, 1, keys, out, d, ws);
            for (int k = 0; k < keys; k++) {
                System.arraycopy(out, d + k * d, got[k], t * d, d);
            }
        }
        for (int k = 0; k < keys; k++) {
            float[] expected = parallelHidden(m.psm(), seqs[k]);
            Bits.assertBitsEqual(Arrays.copyOfRange(expected, heads[k] * d, expected.length), got[k], "key " + k);
            assertArrayEquals(StateCodec.encode(parallelState(m, seqs[k]), m.fingerprint()),
                    StateCodec.encode(states[1 + k], m.fingerprint()), "state of key " + k);
        }
    }

    @Test
    void testStateLayoutSizeAndCapacity() {
        TransformerPsmModel m = model(2); // at most 3 chunks
        TransformerPsmConfig cfg = m.config();
        RecurrentState state = m.newState();
        assertEquals(cfg.stateFloats(), state.data().length);
        assertEquals(2 + C + 2 * 2 * C * cfg.hiddenSize(), state.data().length);
        ScanState<Integer, float[]> empty = m.scanState(state);
        assertEquals(0, empty.chunks());
        assertTrue(empty.pending().isEmpty());

        Workspace ws = m.newWorkspace(8);
        int[] seq = tokens(4 * C, 9);
        m.prefill(state, seq, 0, 4 * C - 1, null, 0, ws);
        assertEquals(3, m.scanState(state).chunks());
        float[] before = state.data().clone();
        IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> m.prefill(state, seq, 4 * C - 1, 1, new float[m.hiddenSize()], 0, ws));
        assertTrue(full.getMessage().contains("max_chunks_log2"), full.getMessage());
        assertArrayEquals(before, state.data(), "a failed call leaves the state as it was");
        assertEquals(4 * C - 1, state.position());

        // A corrupt state or one that disagrees with its position is refused, naming what is wrong.
        state.setPosition(5);
        assertThrows(IllegalStateException.class, () -> m.scanState(state));
        state.setPosition(4 * C - 1);
        state.data()[0] = 1.5f;
        assertThrows(IllegalStateException.class, () -> m.scanState(state));
        assertThrows(IllegalArgumentException.class,
                () -> m.prefill(m.newState(), new int[] {5}, 0, 1, null, 0, ws), "token outside V");
        assertThrows(UnsupportedOperationException.class,
                () -> m.prefillFeatures(m.newState(), new float[1], 0, 1, null, 0, ws));
    }

    @Test
    void testConfigFileErrorsNameTheField(@TempDir Path dir) throws IOException {
        String ok = "{\"model_type\":\"transformer_psm\",\"vocab_size\":6,\"hidden_size\":8,\"num_heads\":2,"
                + "\"chunk_size\":2,\"intermediate_size\":16,\"enc_layers\":1,\"agg_layers\":1,\"inf_layers\":1";
        Files.writeString(dir.resolve("config.json"), ok + "}");
        assertTrue(TransformerPsmConfig.describes(dir));
        TransformerPsmConfig cfg = TransformerPsmConfig.load(dir);
        assertEquals(24, cfg.maxChunksLog2());
        assertEquals("transformer-psm", cfg.architecture());

        Files.writeString(dir.resolve("config.json"), ok.replace("\"num_heads\":2", "\"num_heads\":3") + "}");
        ConfigException heads = assertThrows(ConfigException.class, () -> TransformerPsmConfig.load(dir));
        assertTrue(heads.getMessage().contains("num_heads"), heads.getMessage());
        Files.writeString(dir.resolve("config.json"), ok.replace(",\"inf_layers\":1", "") + "}");
        ConfigException missing = assertThrows(ConfigException.class, () -> TransformerPsmConfig.load(dir));
        assertTrue(missing.getMessage().contains("inf_layers"), missing.getMessage());
        Files.writeString(dir.resolve("config.json"), ok + ",\"max_chunks_log2\":25}");
        assertThrows(ConfigException.class, () -> TransformerPsmConfig.load(dir));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"mamba\"}");
        assertTrue(!TransformerPsmConfig.describes(dir));
    }
}
