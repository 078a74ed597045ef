package io.scanflow.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioTruthTest {
    static final List<String> LABELS = List.of("zero", "one", "two");

    @TempDir
    Path dir;

    Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("labels.tsv"), text);
    }

    @Test
    void streamsMatchByNameOrPathSuffixAndTheLabelColumnWinsOverColumnTwo() throws IOException {
        AudioTruth t = AudioTruth.load(file("file\tvoice\tlabel\nclean/a.wav\tx\tone\nb.wav\ty\ttwo\n"), LABELS);
        assertEquals("one", t.labelOf("a.wav"));
        assertEquals("one", t.labelOf("clean/a.wav"));
        assertEquals("two", t.labelOf("b.wav"));
        assertNull(t.labelOf("c.wav"));
        assertNull(t.labelOf("lean/a.wav"), "a suffix must start at a folder boundary");
        assertEquals("zero", AudioTruth.load(file("file\tdigit\nz.wav\tzero\n"), LABELS).labelOf("z.wav"));
    }

    @Test
    void badRowsNameTheFileLineAndField() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AudioTruth.load(file("file\tdigit\na.wav\tone\nb.wav\tseven\n"), LABELS));
        assertTrue(e.getMessage().contains("labels.tsv: line 3: field digit: 'seven' is not one of the model's labels"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AudioTruth.load(file("file\tdigit\na.wav\n"), LABELS));
        assertTrue(e.getMessage().contains("labels.tsv: line 2: field digit: missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AudioTruth.load(file(""), LABELS));
        assertTrue(e.getMessage().contains("labels.tsv: empty"), e.getMessage());
    }

    @Test
    void aStreamThatTwoRowsLabelDifferentlyIsAnError() throws IOException {
        AudioTruth t = AudioTruth.load(file("file\tdigit\nx/a.wav\tone\ny/a.wav\ttwo\n"), LABELS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.labelOf("a.wav"));
        assertTrue(e.getMessage().contains("stream a.wav matches two rows"), e.getMessage());
        assertEquals("one", t.labelOf("x/a.wav"));
    }
}
