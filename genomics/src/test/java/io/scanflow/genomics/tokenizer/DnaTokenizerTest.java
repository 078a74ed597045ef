package io.scanflow.genomics.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnaTokenizerTest {
    private final DnaTokenizer tok = new DnaTokenizer(DnaVocabulary.standard());

    @Test
    void basesMapToTheStandardIds() {
        assertArrayEquals(new int[] {4, 5, 6, 7, 8}, tok.ids("ACGTN"));
        assertEquals(List.of("<pad>", "<begin>", "<end>", "<sep>", "A", "C", "G", "T", "N"), DnaVocabulary.standard().tokens());
    }

    @Test
    void otherIupacCodesBecomeN() {
        for (char c : "RYSWKMBDHVUrysw".toCharArray()) {
            assertEquals(8, tok.idOf(c), "code " + c);
        }
    }

    @Test
    void lowerCaseKeepsTheIdAndSetsTheSoftMaskFlag() {
        Tokens t = tok.encode("ACgtN");
        assertArrayEquals(new int[] {4, 5, 6, 7, 8}, t.ids());
        BitSet expected = new BitSet();
        expected.set(2);
        expected.set(3);
        assertEquals(expected, t.softMask());
        assertTrue(t.softMasked(2));
        assertFalse(t.softMasked(0));
    }

    @Test
    void unknownCharacterIsNamedWithItsPosition() {
        for (String bad : new String[] {"ACG-T", "ACG.T", "ACG*T", "ACG T", "ACG1T", "ACGXT", "ACGéT"}) {
            UnknownBaseException e = assertThrows(UnknownBaseException.class, () -> tok.encode(bad), bad);
            assertEquals(3, e.position());
            assertTrue(e.getMessage().contains("at position 4"), e.getMessage());
        }
    }

    @Test
    void reverseComplementOfBasesKeepsCaseAndIupacPairs() {
        assertEquals("ACGT", DnaTokenizer.reverseComplement("ACGT"));
        assertEquals("NaccT", DnaTokenizer.reverseComplement("AggtN"));
        assertEquals("VHDBKMWSRY", DnaTokenizer.reverseComplement("RYSWKMVHDB"));
        assertThrows(UnknownBaseException.class, () -> DnaTokenizer.reverseComplement("AC-T"));
    }

    @Test
    void reverseComplementIsAnInvolutionAndAgreesOnIdsAndBases() {
        Random r = new Random(3);
        for (int n = 0; n < 50; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.nextInt(40); i++) {
                sb.append("ACGTNacgtn".charAt(r.nextInt(10)));
            }
            String s = sb.toString();
            assertEquals(s, DnaTokenizer.reverseComplement(DnaTokenizer.reverseComplement(s)));
            assertArrayEquals(tok.ids(DnaTokenizer.reverseComplement(s)), tok.reverseComplement(tok.ids(s)));
        }
    }

    @Test
    void reverseComplementOfIdsKeepsSpecials() {
        DnaVocabulary v = DnaVocabulary.standard();
        int[] ids = tok.withBeginEnd(tok.ids("AACG"));
        assertArrayEquals(new int[] {v.end(), 5, 6, 7, 7, v.begin()}, tok.reverseComplement(ids));
        assertEquals("<begin>AACG<end>", tok.decode(ids));
        assertArrayEquals(new int[] {4, 3, 7}, tok.join(new int[] {4}, new int[] {7}));
    }

    @Test
    void windowsWithStrideCoverEveryPosition() {
        assertEquals(List.of("0-100"), show(DnaTokenizer.windows(100, 150, 50)));
        assertEquals(List.of("0-150"), show(DnaTokenizer.windows(150, 150, 50)));
        assertEquals(List.of("0-150", "50-200", "100-220"), show(DnaTokenizer.windows(220, 150, 50)));
        assertEquals(List.of("0-10", "10-20", "20-25"), show(DnaTokenizer.windows(25, 10, 10)));
        for (int len = 1; len < 300; len += 7) {
            BitSet covered = new BitSet();
            for (int[] w : DnaTokenizer.windows(len, 31, 17)) {
                assertTrue(w[1] - w[0] <= 31);
                covered.set(w[0], w[1]);
            }
            assertEquals(len, covered.cardinality());
        }
    }

    private static List<String> show(List<int[]> ws) {
        return ws.stream().map(w -> w[0] + "-" + w[1]).toList();
    }

    @Test
    void vocabularyIsReadFromTheModelConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"),
                "{\"hidden_size\": 8, \"dna_vocabulary\": [\"N\", \"<pad>\", \"T\", \"G\", \"C\", \"A\", \"<sep>\", \"<end>\", \"<begin>\"]}");
        DnaVocabulary v = DnaVocabulary.fromModel(dir);
        DnaTokenizer custom = new DnaTokenizer(v);
        assertArrayEquals(new int[] {5, 4, 3, 2, 0}, custom.ids("ACGTN"));
        assertEquals(8, v.begin());
        assertArrayEquals(new int[] {0, 5, 4, 3, 2}, custom.reverseComplement(custom.ids("ACGTN")));
    }

    @Test
    void badVocabularyNamesFileAndField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"dna_vocabulary\": [\"<pad>\", \"A\"]}");
        ConfigException e = assertThrows(ConfigException.class, () -> DnaVocabulary.fromModel(dir));
        assertTrue(e.getMessage().contains("config.json: field 'dna_vocabulary'"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 8}");
        e = assertThrows(ConfigException.class, () -> DnaVocabulary.fromModel(dir));
        assertTrue(e.getMessage().contains("field 'dna_vocabulary': expected an array"), e.getMessage());
    }
}
