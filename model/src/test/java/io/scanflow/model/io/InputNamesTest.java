package io.scanflow.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputNamesTest {
    @Test
    void fileNamesWhenTheyDifferAndTheShortestDistinguishingSuffixWhenTheyDoNot() {
        assertEquals(List.of("x.bam", "y.bam"), InputNames.of(List.of(Path.of("/d/x.bam"), Path.of("/e/y.bam"))));
        assertEquals(List.of("a/clip.wav", "b/clip.wav", "other.wav"),
                InputNames.of(List.of(Path.of("/in/a/clip.wav"), Path.of("/in/b/clip.wav"), Path.of("/in/a/other.wav"))));
        assertEquals(List.of("p/x/reads.fastq", "q/x/reads.fastq"),
                InputNames.of(List.of(Path.of("/p/x/reads.fastq"), Path.of("/q/x/reads.fastq"))));
    }

    @Test
    void theSameFileTwiceKeepsOneNameAndANestedPathFallsBackToTheAbsolutePath() {
        assertEquals(List.of("r.fa", "r.fa"), InputNames.of(List.of(Path.of("/d/r.fa"), Path.of("/d/./r.fa"))));
        assertEquals(List.of("/x/clip.wav", "a/x/clip.wav"),
                InputNames.of(List.of(Path.of("/x/clip.wav"), Path.of("/a/x/clip.wav"))));
    }
}
