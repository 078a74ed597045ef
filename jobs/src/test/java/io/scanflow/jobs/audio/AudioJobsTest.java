package io.scanflow.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.WavWriter;
import io.scanflow.jobs.cli.ScanflowCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two audio subcommands end to end on embedded Flink, with the shipped models and demo clips. */
class AudioJobsTest {
    static final Path TESTDATA = Path.of(System.getProperty("scanflow.testdata", "../testdata"));
    static final Path MODELS = TESTDATA.resolveSibling("models");

    @TempDir
    Path dir;

    static int run(String... args) {
        return ScanflowCommand.newCommandLine().execute(args);
    }

    @Test
    void filesThatShareANameAreSeparateStreamsNamedByTheirFolders() throws IOException {
        Path digits = TESTDATA.resolve("audio/digits");
        Path a = Files.createDirectories(dir.resolve("a")).resolve("clip.wav");
        Path b = Files.createDirectories(dir.resolve("b")).resolve("clip.wav");
        Files.copy(digits.resolve("seven_en-029-Tweaky_p68_s149.wav"), a);
        Files.copy(digits.resolve("two_en-gb-x-gbcwmd-iven3_p78_s187.wav"), b);
        Path out = dir.resolve("out");
        assertEquals(0, run("audio-classify", "--model", MODELS.resolve("digit-classifier").toString(),
                "--input", a.toString(), "--input", b.toString(), "--out", out.toString()));
        List<String> streams = Files.readAllLines(out.resolve("streams.tsv"));
        assertEquals(3, streams.size(), "one stream per file: " + streams);
        List<String> byName = streams.subList(1, 3).stream().sorted().toList();
        assertTrue(byName.get(0).startsWith("a/clip.wav\tseven\t"), byName.toString());
        assertTrue(byName.get(1).startsWith("b/clip.wav\ttwo\t"), byName.toString());
        List<String> windows = Files.readAllLines(out.resolve("windows.tsv"));
        assertEquals(3, windows.size(), "one window per 1 s clip: " + windows);
    }

    @Test
    void audioClassifyLabelsTheDemoClipsAndNamesTheUnreadableFile() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        try (var clips = Files.list(TESTDATA.resolve("audio/digits"))) {
            for (Path c : clips.toList()) {
                Files.copy(c, in.resolve(c.getFileName()));
            }
        }
        Files.writeString(in.resolve("broken.wav"), "RIFF\u0000\u0000");
        // One 3 s file saying "two", "five", "nine": five windows of 1 s every 0.5 s.
        float[] three = twoFiveNine();
        WavWriter.write(dir.resolve("two-five-nine.wav"), 16000, three);
        Path longFile = dir.resolve("two-five-nine.wav");
        Path out = dir.resolve("out");
        assertEquals(0, run("audio-classify", "--model", MODELS.resolve("digit-classifier").toString(),
                "--input", in.toString(), longFile.toString(), "--out", out.toString(),
                "--truth", TESTDATA.resolve("audio/digits-labels.tsv").toString()));

        Map<String, String> truth = new HashMap<>();
        for (String line : Files.readAllLines(TESTDATA.resolve("audio/digits-labels.tsv")).subList(1, 31)) {
            String[] f = line.split("\t");
            truth.put(f[0], f[1]);
        }
        List<String> streams = Files.readAllLines(out.resolve("streams.tsv"));
        assertEquals("stream\tpredicted\tprobability", streams.get(0));
        assertEquals(32, streams.size(), "one row per readable file");
        int correct = 0;
        for (String row : streams.subList(1, streams.size())) {
            String[] f = row.split("\t");
            if (f[0].equals("two-five-nine.wav")) {
                continue;
            }
            assertTrue(truth.containsKey(f[0]), "stream is the bare file name: " + f[0]);
            float p = Float.parseFloat(f[2]);
            assertTrue(p > 0 && p <= 1, row);
            correct += truth.get(f[0]).equals(f[1]) ? 1 : 0;
        }
        System.out.println("audio-classify on the demo clips: " + correct + "/30 correct");
        assertTrue(correct >= 25, "demo accuracy " + correct + "/30"); // the shipped classifier: 26
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains(String.format(java.util.Locale.ROOT, "**Accuracy: %.2f%%** (%d of 30 streams)",
                100.0 * correct / 30, correct)), report);
        assertTrue(report.contains("## Streams the truth file does not name\n\n- two-five-nine.wav\n"), report);
        assertTrue(report.contains("unreadable files: 1 (errors.tsv)"), report);
        byte[] png = Files.readAllBytes(out.resolve("confusion.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "confusion.png");

        List<String> windows = Files.readAllLines(out.resolve("windows.tsv"));
        assertEquals("stream\twindow\tstart_seconds\tend_seconds\tpredicted\tprobability", windows.get(0));
        assertEquals(36, windows.size(), "1 s clips make one window each, the 3 s file five");
        List<String> longRows = windows.stream().filter(w -> w.startsWith("two-five-nine.wav\t")).toList();
        assertEquals(5, longRows.size());
        assertTrue(longRows.get(0).startsWith("two-five-nine.wav\t0\t0.000\t1.000\ttwo\t"), longRows.get(0));
        assertTrue(longRows.get(2).startsWith("two-five-nine.wav\t2\t1.000\t2.000\tfive\t"), longRows.get(2));
        assertTrue(longRows.get(4).startsWith("two-five-nine.wav\t4\t2.000\t3.000\tnine\t"), longRows.get(4));
        List<String> errors = Files.readAllLines(out.resolve("errors.tsv"));
        assertEquals(2, errors.size());
        assertTrue(errors.get(1).startsWith("broken.wav\t"), errors.get(1));
        assertTrue(errors.get(1).contains("\tRIFF header\t"), errors.get(1));
    }

    @Test
    void badRecordsFailsTheJobOrDropsTheUnreadableFile() throws IOException {
        Path broken = dir.resolve("broken.wav");
        Files.writeString(broken, "RIFF\u0000\u0000");
        Path clip = TESTDATA.resolve("audio/digits/seven_en-029-Tweaky_p68_s149.wav");
        String model = MODELS.resolve("digit-classifier").toString();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = ScanflowCommand.newCommandLine();
        cli.setErr(new java.io.PrintWriter(err));
        assertEquals(1, cli.execute("audio-classify", "--model", model, "--input", clip.toString(), broken.toString(),
                "--out", dir.resolve("failed").toString(), "--bad-records", "fail"));
        assertTrue(err.toString().contains("broken.wav"), err.toString());

        Path out = dir.resolve("skipped");
        assertEquals(0, run("audio-classify", "--model", model, "--input", clip.toString(), broken.toString(),
                "--out", out.toString(), "--bad-records", "skip"));
        assertEquals(1, Files.readAllLines(out.resolve("errors.tsv")).size(), "only the header");
        assertEquals(2, Files.readAllLines(out.resolve("streams.tsv")).size(), "the readable file's row");
    }

    /** "two", "five", "nine" one after the other: 3 s at 16 kHz. */
    static float[] twoFiveNine() {
        float[] three = new float[48000];
        String[] parts = {"two_en-gb-x-gbcwmd-iven3_p78_s187.wav", "five_en-gb-x-gbcwmd-Diogo_p61_s144.wav",
            "nine_en-029-grandpa_p62_s179.wav"};
        for (int i = 0; i < 3; i++) {
            float[] clip = AudioFiles.readAll(TESTDATA.resolve("audio/digits").resolve(parts[i]), 16000);
            System.arraycopy(clip, 0, three, i * 16000, 16000);
        }
        return three;
    }

    static int runWithStandardInput(byte[] stdin, String... args) {
        java.io.InputStream saved = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void standardInputGivesTheWindowsOfTheSameAudioReadAsAFile() throws IOException {
        Path file = dir.resolve("two-five-nine.wav");
        WavWriter.write(file, 16000, twoFiveNine());
        String model = MODELS.resolve("digit-classifier").toString();
        assertEquals(0, run("audio-classify", "--model", model, "--input", file.toString(), "--out", dir.resolve("f").toString()));
        assertEquals(0, runWithStandardInput(Files.readAllBytes(file), "audio-classify", "--model", model, "--input", "-",
                "--out", dir.resolve("s").toString()));
        List<String> fromFile = Files.readAllLines(dir.resolve("f/windows.tsv"));
        List<String> fromStdin = Files.readAllLines(dir.resolve("s/windows.tsv"));
        assertEquals(6, fromFile.size());
        assertEquals(fromFile.stream().map(l -> l.replace("two-five-nine.wav\t", "stdin\t")).toList(), fromStdin);

        // The same samples as raw stereo PCM (both channels equal, so the mix-down is exact): the same windows.
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(48000 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : twoFiveNine()) {
            short v = (short) Math.round(x * 32767);
            raw.putShort(v).putShort(v);
        }
        assertEquals(0, runWithStandardInput(raw.array(), "audio-classify", "--model", model, "--input", "-",
                "--rate", "16000", "--channels", "2", "--out", dir.resolve("r").toString()));
        assertEquals(fromStdin, Files.readAllLines(dir.resolve("r/windows.tsv")));
        assertEquals(1, runWithStandardInput(new byte[] {1, 2, 3, 4}, "audio-classify", "--model", model, "--input", "-",
                "--out", dir.resolve("x").toString()), "raw PCM without --rate fails");
    }

    @Test
    void audioGenerateWritesOneWavPerSessionAndIsReproducible() throws IOException {
        String model = MODELS.resolve("mulaw-generator").toString();
        String prompt = TESTDATA.resolve("audio/digits/seven_en-029-aunty_p71_s203.wav").toString();
        Path a = dir.resolve("a");
        // The default rounds (400 samples), single-sample rounds, and rounds that end 4 samples short.
        Map<Path, List<String>> runs = Map.of(a, List.of(), dir.resolve("b"), List.of("--samples-per-round", "1"),
                dir.resolve("c"), List.of("--samples-per-round", "7"));
        for (Map.Entry<Path, List<String>> r : runs.entrySet()) {
            List<String> args = new java.util.ArrayList<>(List.of("audio-generate", "--model", model, "--sessions", "3",
                    "--seconds", "0.25", "--prompt", prompt, "--seed", "7", "--engine", "cpu",
                    "--out", r.getKey().toString()));
            args.addAll(r.getValue());
            assertEquals(0, run(args.toArray(String[]::new)));
        }
        List<String> tsv = Files.readAllLines(a.resolve("generation.tsv"));
        assertEquals("session\tsamples\tseconds\trealtime_factor", tsv.get(0));
        assertEquals(4, tsv.size());
        for (int i = 0; i < 3; i++) {
            String session = AudioGenerateJob.sessionName(i, 3);
            assertTrue(tsv.get(i + 1).startsWith(session + "\t2000\t0.250\t"), tsv.get(i + 1));
            byte[] wav = Files.readAllBytes(a.resolve(session + ".wav"));
            assertEquals(44 + 2000 * 2, wav.length);
            for (Map.Entry<Path, List<String>> r : runs.entrySet()) {
                assertArrayEquals(wav, Files.readAllBytes(r.getKey().resolve(session + ".wav")),
                        "same seed, same audio, whatever the round size: " + r.getValue());
            }
        }
        assertTrue(Files.size(a.resolve("spectrogram.png")) > 1000);
        try (var listing = Files.list(a)) {
            assertEquals(5, listing.count(), "3 WAVs, generation.tsv, spectrogram.png, no in-progress files");
        }
    }
}
