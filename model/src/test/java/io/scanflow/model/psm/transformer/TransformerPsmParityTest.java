package io.scanflow.model.psm.transformer;

import io.scanflow.model.psm.Bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.psm.ChunkResult;
import io.scanflow.model.psm.ParallelScan;
import io.scanflow.model.psm.StreamingScan;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped trained Transformer-PSM ({@code models/transformer-psm}) against PyTorch re-running
 * the same weights in float64 ({@code testdata/psm/transformer-psm}, written by
 * {@code scripts/training/train_and_export.py}): logits and prefix states within 1e-4 relative
 * (max |java - ref| / max |ref|), in the parallel evaluator, the streaming evaluator and the
 * SequenceModel path an engine uses; the three agree with each other bit for bit.
 */
class TransformerPsmParityTest {

    private static final double TOLERANCE = 1e-4;

    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    static Path modelDir() {
        return Fixture.root().toAbsolutePath().getParent().resolve("models").resolve("transformer-psm");
    }

    private static Path referenceDir() {
        return Fixture.root().resolve("psm").resolve("transformer-psm");
    }

    @Test
    void testParallelStreamingAndEngineMatchPyTorchFloat64() throws IOException {
        TransformerPsm psm = TransformerPsm.load(modelDir());
        SequenceModel engineModel = ModelLoader.load(modelDir());
        assertInstanceOf(TransformerPsmModel.class, engineModel);
        assertEquals(psm.fingerprint(), engineModel.fingerprint());
        int v = psm.config().vocabSize();
        int d = psm.config().hiddenSize();
        int c = psm.chunkSize();
        JsonNode meta = new ObjectMapper().readTree(referenceDir().resolve("meta.json").toFile());
        assertEquals(v, meta.get("vocab").asInt());
        assertEquals(c, meta.get("chunk_size").asInt());
        int checked = 0;
        for (JsonNode seqMeta : meta.get("sequences")) {
            String name = seqMeta.get("name").asText();
            int[] tokens = Fixture.ints(referenceDir().resolve(name + ".tokens.i32"));
            double[] refLogits = Fixture.doubles(referenceDir().resolve(name + ".logits.f64"));
            int length = tokens.length;
            int n = length / c;
            assertEquals(seqMeta.get("length").asInt(), length);
            assertEquals((long) length * v, refLogits.length);
            List<Integer> seq = Arrays.stream(tokens).boxed().toList();

            // Parallel evaluator.
            ParallelScan.Result<Integer, float[], float[][]> parallel = ParallelScan.onPool(psm, pool).evaluate(seq);
            List<float[][]> parallelRows = new ArrayList<>(parallel.outputs());
            if (parallel.tailOutput() != null) {
                parallelRows.add(parallel.tailOutput());
            }
            float[] parallelLogits = logits(psm, parallelRows, length);

            // Streaming evaluator, one token at a time.
            StreamingScan<Integer, float[], float[][]> stream = new StreamingScan<>(psm);
            List<float[][]> streamRows = new ArrayList<>();
            List<float[]> streamPrefixes = new ArrayList<>();
            for (ChunkResult<float[], float[][]> r : stream.pushAll(seq)) {
                streamRows.add(r.output());
                streamPrefixes.add(r.prefix());
            }
            streamPrefixes.add(stream.prefix());
            stream.flush().ifPresent(streamRows::add);
            float[] streamLogits = logits(psm, streamRows, length);

            // The SequenceModel path, prefill in pieces of 16 tokens as an engine would.
            Workspace ws = engineModel.newWorkspace(16);
            RecurrentState state = engineModel.newState();
            float[] hidden = new float[length * d];
            for (int done = 0; done < length; done += 16) {
                int rows = Math.min(16, length - done);
                engineModel.prefill(state, tokens, done, rows, hidden, done * d, ws);
            }
            float[] engineLogits = new float[length * v];
            engineModel.logits(hidden, 0, length, engineLogits, 0);

            Bits.assertBitsEqual(parallelLogits, streamLogits, name + ": parallel vs streaming logits");
            Bits.assertBitsEqual(parallelLogits, engineLogits, name + ": parallel vs engine logits");
            double parallelErr = Fixture.maxRelativeError(parallelLogits, 0, refLogits, 0, refLogits.length);
            double streamErr = Fixture.maxRelativeError(streamLogits, 0, refLogits, 0, refLogits.length);
            String line = String.format("%s: length %d (%d chunks + %d), logits max rel err parallel %.3e,"
                    + " streaming %.3e", name, length, n, length % c, parallelErr, streamErr);
            assertTrue(parallelErr <= TOLERANCE, line);
            assertTrue(streamErr <= TOLERANCE, line);

            if (seqMeta.get("prefixes").asBoolean()) {
                double[] refPrefixes = Fixture.doubles(referenceDir().resolve(name + ".prefixes.f64"));
                assertEquals((long) (n + 1) * c * d, refPrefixes.length);
                float[] parallelPrefixes = flatten(parallel.prefixes());
                float[] streamPrefixesFlat = flatten(streamPrefixes);
                Bits.assertBitsEqual(parallelPrefixes, streamPrefixesFlat, name + ": prefix states");
                double prefixErr = Fixture.maxRelativeError(parallelPrefixes, 0, refPrefixes, 0, refPrefixes.length);
                double streamPrefixErr = Fixture.maxRelativeError(streamPrefixesFlat, 0, refPrefixes, 0,
                        refPrefixes.length);
                line += String.format(", prefix states parallel %.3e, streaming %.3e", prefixErr, streamPrefixErr);
                assertTrue(prefixErr <= TOLERANCE && streamPrefixErr <= TOLERANCE, line);
            }
            System.out.println("Transformer-PSM parity " + line);
            checked++;
        }
        assertTrue(checked >= 3, "reference sequences checked: " + checked);
    }

    private static float[] logits(TransformerPsm psm, List<float[][]> chunks, int length) {
        int v = psm.config().vocabSize();
        float[] out = new float[length * v];
        int row = 0;
        for (float[][] chunk : chunks) {
            for (float[] h : chunk) {
                System.arraycopy(psm.logits(h), 0, out, v * row++, v);
            }
        }
        assertEquals(length, row);
        return out;
    }

    private static float[] flatten(List<float[]> states) {
        int width = states.get(0).length;
        float[] out = new float[states.size() * width];
        for (int i = 0; i < states.size(); i++) {
            System.arraycopy(states.get(i), 0, out, i * width, width);
        }
        return out;
    }
}
