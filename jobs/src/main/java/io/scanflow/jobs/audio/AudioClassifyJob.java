package io.scanflow.jobs.audio;

import io.scanflow.audio.classify.FeatureWindow;
import io.scanflow.audio.classify.FeatureWindowFunction;
import io.scanflow.audio.classify.WindowPrediction;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.audio.source.AudioRecord;
import io.scanflow.jobs.stream.BadInputRows;
import io.scanflow.jobs.stream.Tsv;
import io.scanflow.model.io.BadInput;
import io.scanflow.model.io.BadRecordPolicy;
import io.scanflow.audio.source.AudioRecords;
import io.scanflow.audio.source.AudioSource;
import io.scanflow.flink.BadRecord;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * audio-classify: files -> audio source (decode, mono, resample to the model's rate) -> per stream,
 * windows -> MFCC frames -> keyed model operator (backbone, mean pool; windows of many files bundled into
 * one engine call) -> head -> one prediction per window. The job's
 * results come back to the client, which writes {@code windows.tsv}, {@code streams.tsv} (the mean of a
 * stream's window probabilities) and {@code errors.tsv} (files that could not be read, named).
 */
public final class AudioClassifyJob {
    private AudioClassifyJob() {}

    /** What the job found. */
    public record Result(List<WindowPrediction> windows, List<BadInput> errors) {}

    /** The job's outputs: window predictions, and the streams or windows that could not be classified. */
    public record Outputs(DataStream<WindowPrediction> windows, DataStream<BadInput> errors) {}

    public static Result run(StreamExecutionEnvironment env, Path model, EngineChoice engine, List<Path> inputs,
                             int sampleRate)
            throws Exception {
        return collect(classify(files(env, inputs, sampleRate), model, engine));
    }

    /** The audio files' records: decoded, mono, at {@code sampleRate}, a tenth of a second a chunk. */
    public static DataStream<AudioRecord> files(StreamExecutionEnvironment env, List<Path> inputs, int sampleRate) {
        return files(env, inputs, sampleRate, BadRecordPolicy.SIDE_OUTPUT);
    }

    /** {@link #files(StreamExecutionEnvironment, List, int)}, unreadable files handled by {@code badRecords}. */
    public static DataStream<AudioRecord> files(StreamExecutionEnvironment env, List<Path> inputs, int sampleRate,
                                                BadRecordPolicy badRecords) {
        AudioSource source = AudioSource.forPaths(inputs).sampleRate(sampleRate).chunkSamples(sampleRate / 10)
                .badRecords(badRecords).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "audio files").uid("audio-files");
    }

    /** Classifies the windows of every stream in {@code records} (chunks in order per stream, or errors). */
    public static Outputs classify(DataStream<AudioRecord> records, Path model, EngineChoice engine) {
        SingleOutputStreamOperator<AudioChunk> chunks = AudioRecords.splitErrors(records);
        // Every window is its own model stream: a record that ends the key's stream, so each window starts
        // from a fresh state, and windows of one file still run in order through the keyed operator.
        DataStream<ScanInput> windows = chunks.keyBy(c -> c.stream, Types.STRING)
                .process(new FeatureWindowFunction(model)).uid("feature-windows").name("windows to MFCC frames")
                .map(AudioClassifyJob::toScanInput).returns(TypeInformation.of(ScanInput.class)).name("model input");
        SingleOutputStreamOperator<HeadPrediction> labels = classifyWindows(windows, model, engine, "classify-windows");
        DataStream<WindowPrediction> predictions = labels.map(new ToWindowPrediction(model)).name("window predictions");
        return new Outputs(predictions, errors(chunks, labels));
    }

    /** The keyed model operator with the model's head, windows of many streams bundled into one engine call. */
    static SingleOutputStreamOperator<HeadPrediction> classifyWindows(DataStream<ScanInput> windows, Path model,
                                                                      EngineChoice engine, String uid) {
        ScanOptions options = ScanOptions.defaults().withBundleSize(64).withBundleTimeout(Duration.ofMillis(10));
        return ScanOperators.classify(ScanOperators.keyByStream(windows), ModelSpec.of(model).withEngine(engine), options)
                .uid(uid);
    }

    /** The files that could not be read and the windows the model operator refused, as error rows. */
    static DataStream<BadInput> errors(SingleOutputStreamOperator<AudioChunk> chunks,
                                         SingleOutputStreamOperator<HeadPrediction> calls) {
        DataStream<BadInput> rejected = calls.getSideOutput(ScanOperators.BAD_RECORDS)
                .map(AudioClassifyJob::rejected).returns(TypeInformation.of(BadInput.class)).name("rejected windows");
        return chunks.getSideOutput(AudioRecords.ERRORS).union(rejected);
    }

    /** Runs the job and brings its outputs back to the client, sorted by stream and window. */
    public static Result collect(Outputs outputs) throws Exception {
        DataStream<String> predictions = outputs.windows().map(AudioClassifyJob::windowLine).returns(Types.STRING)
                .name("window rows");
        List<WindowPrediction> ws = new ArrayList<>();
        List<BadInput> es = collectRows(predictions, outputs.errors(), "scanflow audio-classify",
                f -> ws.add(parseWindow(f)));
        ws.sort(Comparator.comparing((WindowPrediction w) -> w.stream).thenComparingInt(w -> w.window));
        return new Result(ws, es);
    }

    /**
     * Runs the job whose results are {@code rows} and {@code errors}, which travel to the client as one string
     * stream (one collect sink, one job). Each row goes to {@code onRow} split at tabs; the errors are returned,
     * sorted by file and record.
     */
    static List<BadInput> collectRows(DataStream<String> rows, DataStream<BadInput> errors, String jobName,
                                        Consumer<String[]> onRow) throws Exception {
        DataStream<String> errorRows = errors.map(AudioClassifyJob::errorLine).returns(Types.STRING).name("error rows");
        List<BadInput> es = new ArrayList<>();
        try (CloseableIterator<String> it = rows.union(errorRows).executeAndCollect(jobName)) {
            while (it.hasNext()) {
                String[] f = it.next().split("\t", -1);
                if (f[0].equals(ERROR_ROW)) {
                    for (int i = 1; i < f.length; i++) {
                        f[i] = Tsv.unescape(f[i]);
                    }
                    es.add(BadInputRows.fromFields(f));
                } else {
                    onRow.accept(f);
                }
            }
        }
        es.sort(Comparator.comparing(BadInput::file).thenComparing(BadInput::record));
        return es;
    }

    /** One stream's prediction: the label with the highest mean window probability, and that mean. */
    public record StreamPrediction(String stream, String predicted, double probability) {}

    /** Per stream (sorted by name), the mean of its windows' probability vectors and its best label. */
    public static List<StreamPrediction> streams(Result r, List<String> labels) {
        Map<String, double[]> sums = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (WindowPrediction p : r.windows()) {
            double[] s = sums.computeIfAbsent(p.stream, k -> new double[p.probabilities.length]);
            for (int i = 0; i < s.length; i++) {
                s[i] += p.probabilities[i];
            }
            counts.merge(p.stream, 1, Integer::sum);
        }
        List<StreamPrediction> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] mean = e.getValue();
            int best = 0;
            for (int i = 1; i < mean.length; i++) {
                if (mean[i] > mean[best]) {
                    best = i;
                }
            }
            out.add(new StreamPrediction(e.getKey(), labels.get(best), mean[best] / counts.get(e.getKey())));
        }
        return out;
    }

    /** Writes windows.tsv, streams.tsv and errors.tsv into {@code out}. */
    public static void write(Result r, List<String> labels, Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder w = new StringBuilder("stream\twindow\tstart_seconds\tend_seconds\tpredicted\tprobability\n");
        for (WindowPrediction p : r.windows()) {
            w.append(windowRow(p));
        }
        StringBuilder s = new StringBuilder("stream\tpredicted\tprobability\n");
        for (StreamPrediction p : streams(r, labels)) {
            s.append(Tsv.row(p.stream(), p.predicted(), fmt(p.probability(), 4)));
        }
        StringBuilder errs = new StringBuilder(BadInputRows.HEADER);
        for (BadInput e : r.errors()) {
            errs.append(BadInputRows.row(e));
        }
        Files.writeString(out.resolve("windows.tsv"), w);
        Files.writeString(out.resolve("streams.tsv"), s);
        Files.writeString(out.resolve("errors.tsv"), errs);
    }

    /** A row of windows.tsv (with its newline). */
    public static String windowRow(WindowPrediction p) {
        return Tsv.row(p.stream, p.window, fmt(p.startSeconds, 3), fmt(p.endSeconds, 3), p.labelName,
                fmt(p.probability, 4));
    }

    private static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** A window the model operator refused, as an error row of its stream. */
    private static BadInput rejected(BadRecord b) {
        String window = String.format(Locale.ROOT, "window at %.3f s", b.record().eventTime() / 1000.0);
        return new BadInput(b.key(), window, "model input " + b.field(), b.reason());
    }

    private static ScanInput toScanInput(FeatureWindow w) {
        return new ScanInput(w.stream, null, w.features, true, Math.round(w.startSeconds * 1000));
    }

    // Both kinds of result travel to the client as one string stream (one collect sink, one job).
    private static String windowLine(WindowPrediction p) {
        StringBuilder b = new StringBuilder("W\t").append(Tsv.field(p.stream)).append('\t').append(p.window).append('\t')
                .append(p.startSeconds).append('\t').append(p.endSeconds).append('\t').append(p.label).append('\t')
                .append(p.labelName).append('\t').append(p.probability);
        for (float x : p.probabilities) {
            b.append('\t').append(x);
        }
        return b.toString();
    }

    private static final String ERROR_ROW = "E";

    static String errorLine(BadInput e) {
        return BadInputRows.line(ERROR_ROW, e);
    }

    private static WindowPrediction parseWindow(String[] f) {
        WindowPrediction p = new WindowPrediction();
        p.stream = Tsv.unescape(f[1]);
        p.window = Integer.parseInt(f[2]);
        p.startSeconds = Double.parseDouble(f[3]);
        p.endSeconds = Double.parseDouble(f[4]);
        p.label = Integer.parseInt(f[5]);
        p.labelName = f[6];
        p.probability = Float.parseFloat(f[7]);
        p.probabilities = new float[f.length - 8];
        for (int i = 0; i < p.probabilities.length; i++) {
            p.probabilities[i] = Float.parseFloat(f[8 + i]);
        }
        return p;
    }
}
