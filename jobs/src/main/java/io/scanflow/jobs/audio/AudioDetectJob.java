package io.scanflow.jobs.audio;

import io.scanflow.audio.detect.Detection;
import io.scanflow.audio.detect.SpeechWindow;
import io.scanflow.audio.detect.SpeechWindowFunction;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.audio.source.AudioRecord;
import io.scanflow.audio.source.AudioRecords;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.jobs.stream.BadInputRows;
import io.scanflow.jobs.stream.Tsv;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * audio-detect: long streams -> audio source (decode, mono, resample to the model's rate) -> per stream,
 * the speech detector in keyed state ({@link SpeechWindowFunction}: noise floor, the word being heard, the
 * samples its window needs) -> the classifier window around each word -> the keyed model operator and its
 * head (windows of many streams bundled into one engine call) -> joined back with the word's times
 * ({@link LabelDetections}) -> one detection per word. The rows come back to the client, which writes
 * {@code detections.tsv} and {@code errors.tsv}.
 */
public final class AudioDetectJob {
    private AudioDetectJob() {}

    /** What the job found: detections sorted by stream and start, and the files that could not be read. */
    public record Result(List<Detection> detections, List<BadInput> errors) {}

    /** The job's outputs. */
    public record Outputs(DataStream<Detection> detections, DataStream<BadInput> errors) {}

    /** Detects and labels the words of every stream in {@code records} (chunks in order per stream, or errors). */
    public static Outputs detect(DataStream<AudioRecord> records, Path model, EngineChoice engine) {
        SingleOutputStreamOperator<AudioChunk> chunks = AudioRecords.splitErrors(records);
        SingleOutputStreamOperator<SpeechWindow> words = chunks.keyBy(c -> c.stream, Types.STRING)
                .process(new SpeechWindowFunction(model)).uid("speech-detector").name("speech detector");
        // Each window is its own model stream (the classifier was trained on windows from a fresh state); its
        // event time is the word's start, by which the call is joined back with the word's times.
        DataStream<ScanInput> windows = words.map(w -> new ScanInput(w.stream, null, w.features, true,
                LabelDetections.eventTime(w.startSeconds))).returns(TypeInformation.of(ScanInput.class))
                .name("model input");
        SingleOutputStreamOperator<HeadPrediction> calls = AudioClassifyJob.classifyWindows(windows, model, engine,
                "classify-words");
        DataStream<Detection> times = words.map(Detection::of).returns(Detection.class).name("word times");
        DataStream<Detection> detections = calls.keyBy(HeadPrediction::key, Types.STRING)
                .connect(times.keyBy(d -> d.stream, Types.STRING))
                .process(new LabelDetections()).returns(Detection.class).uid("label-words").name("label words");
        return new Outputs(detections, AudioClassifyJob.errors(chunks, calls));
    }

    /** Runs the job and brings its outputs back to the client, sorted by stream and start. */
    public static Result collect(Outputs outputs) throws Exception {
        DataStream<String> rows = outputs.detections().map(AudioDetectJob::detectionLine).returns(Types.STRING)
                .name("detection rows");
        List<Detection> ds = new ArrayList<>();
        List<BadInput> es = AudioClassifyJob.collectRows(rows, outputs.errors(), "scanflow audio-detect",
                f -> ds.add(parseDetection(f)));
        ds.sort(Comparator.comparing((Detection d) -> d.stream).thenComparingDouble(d -> d.startSeconds));
        return new Result(ds, es);
    }

    /** The header of detections.tsv (with its newline). */
    public static final String HEADER = "stream\tstart_s\tend_s\tlabel\tprobability\n";

    /** A row of detections.tsv (with its newline). */
    public static String row(Detection d) {
        return Tsv.row(d.stream, fmt(d.startSeconds, 3), fmt(d.endSeconds, 3), d.label, fmt(d.probability, 4));
    }

    /** Writes detections.tsv and errors.tsv into {@code out}. */
    public static void write(Result r, Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder d = new StringBuilder(HEADER);
        for (Detection x : r.detections()) {
            d.append(row(x));
        }
        StringBuilder errs = new StringBuilder(BadInputRows.HEADER);
        for (BadInput e : r.errors()) {
            errs.append(BadInputRows.row(e));
        }
        Files.writeString(out.resolve("detections.tsv"), d);
        Files.writeString(out.resolve("errors.tsv"), errs);
    }

    private static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String detectionLine(Detection d) {
        return Tsv.join("D", d.stream, d.index, d.startSeconds, d.endSeconds, d.label, d.probability);
    }

    private static Detection parseDetection(String[] f) {
        Detection d = new Detection();
        d.stream = Tsv.unescape(f[1]);
        d.index = Integer.parseInt(f[2]);
        d.startSeconds = Double.parseDouble(f[3]);
        d.endSeconds = Double.parseDouble(f[4]);
        d.label = Tsv.unescape(f[5]);
        d.probability = Float.parseFloat(f[6]);
        return d;
    }
}
