package io.scanflow.jobs.cli;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.engine.Engines;
import io.scanflow.genomics.io.InputRole;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.source.InputCheck;
import io.scanflow.genomics.source.ReadOptions;
import io.scanflow.jobs.dna.ClassificationReport;
import io.scanflow.jobs.dna.DnaClassify;
import io.scanflow.jobs.dna.DnaClassifyJob;
import io.scanflow.jobs.dna.OutputSink;
import io.scanflow.jobs.dna.Provenance;
import io.scanflow.jobs.dna.ReportSettings;
import io.scanflow.jobs.dna.SampleSheet;
import io.scanflow.jobs.dna.StandardInput;
import io.scanflow.jobs.stream.TemporaryFolder;
import io.scanflow.jobs.kafka.KafkaTopic;
import io.scanflow.jobs.kafka.ReadTopics;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.loader.ModelLoader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scanflow dna-classify}: species of DNA reads, per read and per sample, in a Flink job. */
@Command(name = "dna-classify", mixinStandardHelpOptions = true,
        description = {"Classify DNA reads (BAM, SAM, CRAM, FASTQ or FASTA, told by content) with a Mamba read classifier in a Flink job;",
            "writes DIR/predictions.tsv, DIR/samples.tsv, DIR/kraken/SAMPLE.kreport, DIR/report.md and a chart;",
            "'--input -' reads a pipe, '--out -' writes predictions.tsv to standard output and samples.tsv to standard error.",
            "With no --model and no --input it runs the shipped ape classifier on the demo BAM.",
            "Runs on embedded Flink; submitted with 'flink run' the same jar runs on the cluster."})
public final class DnaClassifyCommand implements Callable<Integer> {
    static final String SHIPPED_MODEL = "models/dna-apes";
    static final String DEMO_INPUT = "testdata/genomics/ape-demo.bam";
    /** {@code --input -} and {@code --out -}: standard input and output. */
    static final Path STANDARD_STREAM = Path.of("-");
    /** Reads per bundle on the CPU engine: more only delays the first results. */
    static final int CPU_BUNDLE = 256;
    /** Reads per bundle on CUDA: 8,192 reads of 150 bases ran at 78 M bases/s in the engine bench, 1,024 at 63 M. */
    static final int CUDA_BUNDLE = 8192;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|URI", converter = ModelFolderConverter.class,
            description = "Model folder: config.json + model.safetensors (backbone) + head.json + head.safetensors (default: the shipped "
                    + SHIPPED_MODEL + ").")
    Path model;

    @Option(names = "--input", arity = "1..*", paramLabel = "FILE",
            description = "Reads: BAM, SAM, CRAM, FASTQ or FASTA (plain or gzipped), told by content; '-' for standard input;"
                    + " or one Kafka topic of FASTQ records, kafka://BROKERS/TOPIC (default: the demo " + DEMO_INPUT + ").")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "dna-classify-out",
            description = "Output folder; '-' for predictions.tsv on standard output and samples.tsv on standard error;"
                    + " or kafka://BROKERS/TOPIC: prediction rows to that topic, exactly once"
                    + " (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--truth", paramLabel = "FILE",
            description = "Known labels: TSV with header 'read_id<TAB>label' or 'sample<TAB>label' (else taken from read names like 'human.*').")
    Path truth;

    @Option(names = "--reference", paramLabel = "FASTA", description = "Reference for CRAM input (else the CRAM's embedded reference).")
    Path reference;

    @Mixin
    BadRecordsOption badRecords;

    @Option(names = "--window", defaultValue = "150", paramLabel = "N", description = "FASTA: bases per window (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--stride", defaultValue = "150", paramLabel = "N", description = "FASTA: bases between windows (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto", description = "Compute backend (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "Engine threads per subtask (default: ${DEFAULT-VALUE}).")
    int threads;

    @Mixin
    CudaOptions cuda = new CudaOptions();

    @Option(names = "--bundle-size", paramLabel = "N",
            description = "Reads per engine call, across reads; larger bundles fill wider matrix products, the GPU wants thousands"
                    + " (default: " + CPU_BUNDLE + " on the CPU engine, " + CUDA_BUNDLE + " on CUDA).")
    Integer bundleSize;

    /** Regions and the sample sheet. */
    @Mixin
    DnaSelectionOptions selection;

    /** The unclassified threshold and the mixture flag. */
    @Mixin
    DnaCallOptions calls;

    /** Parallelism, checkpointing, web UI and progress: the options every Flink job subcommand shares. */
    @Mixin
    JobOptions jobOptions;

    @Override
    public Integer call() throws Exception {
        // Option values first: a misspelt one is a usage error (exit 2), whatever else is wrong.
        engine(engine);
        cuda.tuning();
        badRecords.policy();
        Path modelDir = model != null ? model : shipped(SHIPPED_MODEL);
        boolean fromPipe = inputs != null && inputs.contains(STANDARD_STREAM);
        try (StandardInput stdin = fromPipe ? StandardInput.spool(System.in) : null) {
            List<Path> files = new ArrayList<>();
            ReadOptions readOptions = readOptions(files, stdin);
            // Everything that would stop the run is checked before any output is written.
            if (LiveStreams.inputTopic(files) == null) {
                InputCheck.check(files, readOptions);
            }
            if (truth != null) {
                CliFiles.requireFile("--truth", truth);
            }
            ClassificationHeads.load(modelDir, ModelLoader.load(modelDir).hiddenSize());
            ReportSettings reportSettings = new ReportSettings(calls.minProbability, calls.mixtureFraction,
                    Provenance.of(spec.commandLine().getParseResult().originalArgs(), modelDir));
            if (LiveStreams.isTopic(out)) {
                return classify(modelDir, files, readOptions, reportSettings, null, null);
            }
            if (out.equals(STANDARD_STREAM)) {
                // The TaskManagers still write their lines into a folder: a temporary one.
                try (TemporaryFolder work = TemporaryFolder.create("scanflow-out")) {
                    return classify(modelDir, files, readOptions, reportSettings, work.path(),
                            OutputSink.streams(spec.commandLine().getOut(), spec.commandLine().getErr()));
                }
            }
            try (OutputFolder folder = OutputFolder.open("--out", out)) {
                return classify(modelDir, files, readOptions, reportSettings, out, OutputSink.folder(out));
            }
        }
    }

    /** The input files (into {@code files}: --input, the pipe, the sample sheet's) and how to read them. */
    private ReadOptions readOptions(List<Path> files, StandardInput stdin) throws java.io.IOException {
        Map<String, InputRole> roles = Map.of();
        if (inputs != null) {
            inputs.forEach(p -> files.add(p.equals(STANDARD_STREAM) ? stdin.file() : p));
        }
        if (selection.sampleSheet != null) {
            CliFiles.requireFile("--sample-sheet", selection.sampleSheet);
            SampleSheet sheet = SampleSheet.load(selection.sampleSheet);
            files.addAll(sheet.files());
            roles = sheet.roles();
        }
        if (files.isEmpty()) {
            files.add(shipped(DEMO_INPUT));
        }
        ReadOptions readOptions = ReadOptions.defaults().withWindow(window, stride).withPolicy(badRecords.policy())
                .withRegions(selection.regions()).withRoles(roles);
        return reference == null ? readOptions : readOptions.withReference(reference.toAbsolutePath().toString());
    }

    private int classify(Path modelDir, List<Path> files, ReadOptions readOptions, ReportSettings reportSettings, Path work,
            OutputSink sink) throws Exception {
        DnaClassifyJob.Settings defaults = DnaClassifyJob.settings(files, modelDir);
        EngineChoice choice = engine(engine);
        int bundle = bundleSize != null ? bundleSize : defaultBundle(choice);
        if (bundle < 1) {
            throw new IllegalArgumentException("--bundle-size must be positive, found " + bundle);
        }
        DnaClassifyJob.Settings settings = new DnaClassifyJob.Settings(files, modelDir, readOptions,
                defaults.modelSpec().withEngine(choice).withThreads(threads).withCudaTuning(cuda.settings()),
                defaults.scanOptions().withBundleSize(bundle));
        JobOptions.FlinkEnvironment flink = jobOptions.environment(ConfigFile.flinkSettings(spec));
        StreamExecutionEnvironment env = flink.env();
        PrintWriter err = spec.commandLine().getErr();
        if (flink.webUi() != null) {
            err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
        }
        DataStream<SourceRecord> records = LiveStreams.readRecords(env, settings, out, spec);
        if (LiveStreams.isTopic(out)) {
            ReadTopics.write(DnaClassifyJob.outputs(records, settings).union(), KafkaTopic.parse("--out", out),
                    ConfigFile.kafkaSettings(spec));
            LiveStreams.execute(env, "dna-classify", out, files, spec);
            return 0;
        }
        // With --out -, standard output carries predictions.tsv only: the summary goes to standard error.
        PrintWriter stdout = out.equals(STANDARD_STREAM) ? err : spec.commandLine().getOut();
        ClassificationReport.Summary s;
        try {
            s = DnaClassify.run(records, settings, truth, work, sink, reportSettings,
                    jobOptions.progress == JobOptions.ProgressDisplay.OFF ? new PrintWriter(Writer.nullWriter()) : err);
        } catch (RuntimeException e) {
            throw JobFailures.fromCollect(e);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "dna-classify: %d reads in %d samples", s.reads(), s.samples()));
        sb.append(String.format(Locale.ROOT, "; %d of %d fragments unclassified", s.unclassified(), s.fragments()));
        if (s.readsWithTruth() > 0) {
            sb.append(String.format(Locale.ROOT, "; per-read accuracy %.2f%% (%d/%d)", 100 * s.readAccuracy(), s.correct(), s.readsWithTruth()));
        }
        if (s.samplesScored() > 0) {
            sb.append(String.format(Locale.ROOT, "; per-sample accuracy %.1f%% (%d/%d samples of >= 50 reads)",
                    100 * s.sampleAccuracy(), s.samplesCorrect(), s.samplesScored()));
        }
        if (s.mixtures() > 0) {
            sb.append(String.format(Locale.ROOT, "; %d mixed samples", s.mixtures()));
        }
        stdout.println(sb);
        stdout.println(sink.describe());
        stdout.flush();
        return 0;
    }

    /**
     * Reads per bundle when {@code --bundle-size} is not given: by the backend the choice resolves to here
     * (the client; on a cluster the TaskManagers resolve {@code auto} themselves, so give it there).
     */
    static int defaultBundle(EngineChoice choice) {
        String backend = choice == EngineChoice.CPU ? "cpu" : Engines.resolve(choice, Engines.providers()).backend();
        return "cuda".equals(backend) ? CUDA_BUNDLE : CPU_BUNDLE;
    }

    static EngineChoice engine(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return EngineChoice.CPU;
            case "cuda":
                return EngineChoice.CUDA;
            case "auto":
                return EngineChoice.AUTO;
            default:
                throw new UsageError("--engine must be cpu, cuda or auto, found '" + name + "'");
        }
    }

    /**
     * A shipped file, found from the working directory upwards, then from the jar's folder upwards
     * (the launcher runs the jar in jobs/target of the checkout).
     */
    static Path shipped(String relative) {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(DnaClassifyCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception | Error e) {
            // no code source: the working directory only
        }
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(relative))) {
                    return p.resolve(relative);
                }
            }
        }
        throw new IllegalArgumentException("cannot find the shipped " + relative
                + " from the working directory or the jar: run from the ScanFlow checkout or pass --model and --input");
    }
}
