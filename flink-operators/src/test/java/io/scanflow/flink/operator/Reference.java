package io.scanflow.flink.operator;

import io.scanflow.flink.Embedding;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine alone, one key and one record at a time, no Flink: what the operator's outputs must
 * equal bit for bit whatever its bundling, restores and rescaling.
 */
public final class Reference implements AutoCloseable {
    private final SequenceModel model;
    private final CpuEngine engine;
    private final Map<String, Integer> slots = new HashMap<>();

    public Reference() {
        this(Harnesses.modelDir());
    }

    public Reference(java.nio.file.Path modelDir) {
        this(CpuEngine.loadModel(modelDir));
    }

    /** The engine alone over a model already loaded (with the kernels the caller chose). */
    public Reference(SequenceModel model) {
        this.model = model;
        this.engine = new CpuEngine(model, 1, 16);
    }

    private int slot(String key) {
        return slots.computeIfAbsent(key, k -> engine.openSlot());
    }

    private void reset(String key) {
        engine.resetSlot(slot(key));
    }

    /** Predictions per chunk, in the order of {@code records} (per key order is what matters). */
    public List<Prediction> classifyPerChunk(List<ScanInput> records) {
        List<Prediction> out = new ArrayList<>();
        for (ScanInput r : records) {
            if (r.length() > 0) {
                float[] logits = prefill(r.key(), r.tokens(), Output.LAST_LOGITS);
                out.add(predict(r.key(), engine.position(slot(r.key())), logits, r.eventTime(), Prediction.Trigger.CHUNK));
            }
            if (r.endOfStream()) {
                reset(r.key());
            }
        }
        return out;
    }

    /** Predictions at every {@code window}-th token, feeding each window separately. */
    public List<Prediction> classifyPerWindow(List<ScanInput> records, int window) {
        List<Prediction> out = new ArrayList<>();
        for (ScanInput r : records) {
            int from = 0;
            while (from < r.length()) {
                long pos = engine.position(slot(r.key()));
                int to = (int) Math.min(r.length(), from + (window - pos % window));
                int[] piece = java.util.Arrays.copyOfRange(r.tokens(), from, to);
                float[] logits = prefill(r.key(), piece, Output.LAST_LOGITS);
                long now = engine.position(slot(r.key()));
                if (now % window == 0) {
                    out.add(predict(r.key(), now, logits, r.eventTime(), Prediction.Trigger.WINDOW));
                }
                from = to;
            }
            if (r.endOfStream()) {
                reset(r.key());
            }
        }
        return out;
    }

    public List<Embedding> embed(List<ScanInput> records, boolean mean) {
        List<Embedding> out = new ArrayList<>();
        for (ScanInput r : records) {
            if (r.length() > 0) {
                float[] h = prefill(r.key(), r.tokens(), mean ? Output.MEAN_HIDDEN : Output.LAST_HIDDEN);
                out.add(new Embedding(r.key(), engine.position(slot(r.key())), h, r.eventTime()));
            }
            if (r.endOfStream()) {
                reset(r.key());
            }
        }
        return out;
    }

    /** Sessions generated one key at a time with single-slot steps. */
    public List<GeneratedToken> generate(List<ScanInput> records, Generate mode) {
        Sampler sampler = new Sampler(mode.sampling(), model.vocabSize());
        Map<String, RandomState> rng = new HashMap<>();
        Map<String, Integer> pending = new HashMap<>();
        Map<String, Long> sessions = new HashMap<>();
        List<GeneratedToken> out = new ArrayList<>();
        for (ScanInput r : records) {
            String key = r.key();
            RandomState random = rng.computeIfAbsent(key, k -> new RandomState(SlotTable.seedFor(mode.seed(), k)));
            if (r.length() > 0) {
                int p = pending.getOrDefault(key, -1);
                int[] prompt = r.tokens();
                if (p >= 0) {
                    prompt = new int[r.length() + 1];
                    prompt[0] = p;
                    System.arraycopy(r.tokens(), 0, prompt, 1, r.length());
                }
                float[] logits = prefill(key, prompt, Output.LAST_LOGITS);
                long session = sessions.merge(key, 1L, Long::sum) - 1;
                int generated = 0;
                while (true) {
                    int token = sampler.sample(logits, 0, model.vocabSize(), random);
                    generated++;
                    boolean last = (mode.maxNewTokens() > 0 && generated >= mode.maxNewTokens())
                            || token == mode.stopToken();
                    out.add(new GeneratedToken(key, session, generated - 1, engine.position(slot(key)), token,
                            r.eventTime(), last));
                    pending.put(key, token);
                    if (last) {
                        break;
                    }
                    engine.step(new int[] {slot(key)}, new int[] {token}, 1, Output.LAST_LOGITS, logits);
                }
            }
            if (r.endOfStream()) {
                reset(key);
                rng.remove(key);
                pending.remove(key);
                sessions.remove(key);
            }
        }
        return out;
    }

    private float[] prefill(String key, int[] tokens, Output output) {
        float[][] out = {new float[output.width(model)]};
        engine.prefill(new int[] {slot(key)}, new int[][] {tokens}, output, out);
        return out[0];
    }

    static Prediction predict(String key, long position, float[] logits, long eventTime, Prediction.Trigger trigger) {
        int label = Sampler.argmax(logits, 0, logits.length);
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp((double) l - logits[label]);
        }
        return new Prediction(key, position, label, (float) (1.0 / sum), null, eventTime, trigger);
    }

    @Override
    public void close() {
        engine.close();
    }
}
