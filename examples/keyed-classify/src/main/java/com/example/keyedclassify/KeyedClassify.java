package com.example.keyedclassify;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Reads DNA reads from a TSV file ({@code sample, read, bases}), keys them by read, runs ScanFlow's
 * Mamba read classifier with its trained head over each read (its recurrent state in Flink keyed state)
 * and writes one line per read:
 * {@code read, sample, predicted label, probability}. Records the model cannot take go to a second folder.
 *
 * <pre>
 * KeyedClassify --model DIR --input reads.tsv --out DIR
 * </pre>
 */
public final class KeyedClassify {
    private KeyedClassify() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(option(args, "--model"));
        String input = option(args, "--input");
        Path out = Path.of(option(args, "--out"));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // The file sink commits its files at checkpoints (and at the final one when the input ends).
        env.enableCheckpointing(10_000);

        FileSource<String> lines = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input)).build();
        DataStream<ScanInput> reads = env.fromSource(lines, WatermarkStrategy.noWatermarks(), "reads")
                .flatMap(new ParseRead(DnaVocabulary.fromModel(model))).name("parse reads");

        // The model folder has a trained head (head.json): classify gives its label and probability per read.
        SingleOutputStreamOperator<HeadPrediction> labels = ScanOperators.classify(ScanOperators.keyByStream(reads),
                ModelSpec.of(model));
        labels.map(new PredictionLine()).name("prediction lines")
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.resolve("predictions").toUri()),
                        new SimpleStringEncoder<String>()).build()).name("predictions");
        labels.getSideOutput(ScanOperators.BAD_RECORDS).map(BadRecord::toString).name("bad records")
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.resolve("bad-records").toUri()),
                        new SimpleStringEncoder<String>()).build()).name("bad-records");

        env.execute("keyed-classify");
        report(out.resolve("predictions"));
    }

    /** Prints what the job wrote; fails when it wrote nothing. */
    private static void report(Path folder) throws IOException {
        List<String> written;
        try (Stream<Path> files = Files.walk(folder)) {
            written = files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .flatMap(KeyedClassify::readLines).sorted().toList();
        }
        if (written.isEmpty()) {
            throw new IllegalStateException("no predictions were written to " + folder);
        }
        long asSample = written.stream().map(l -> l.split("\t")).filter(f -> f[1].equals(f[2])).count();
        written.forEach(System.out::println);
        System.out.printf("%d reads classified into %s; %d labelled as the sample they came from%n",
                written.size(), folder, asSample);
    }

    private static Stream<String> readLines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing " + name + " (usage: --model DIR --input FILE --out DIR)");
    }
}
