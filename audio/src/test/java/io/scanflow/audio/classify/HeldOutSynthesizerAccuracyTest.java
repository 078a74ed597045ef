package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.audio.TestPaths;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped classifier's accuracy on the committed held-out set, as metrics.json and docs/audio.md quote
 * it: 240 clips of festival (kal and ked diphones, the slt HTS voice), a synthesizer the classifier never
 * heard in training, at 8 kHz (resampled to the model's 16 kHz as a job would), 60 clean and 60 each with
 * white, pink or babble noise at 20, 10 and 5 dB SNR. Of the goals the model meets 95% clean, not
 * 90% at 10 dB; this test pins what it does score, so any change to the model, the decoding, the features
 * or the engine that moves a clip shows here.
 */
class HeldOutSynthesizerAccuracyTest {

    @Test
    void shippedClassifierRecognisesAnUnseenSynthesizerCleanAndInNoise() throws IOException {
        Map<String, ShippedClassifierScores.Count> counts = ShippedClassifierScores.assertQuotedCounts(
                "testdata/audio/heldout-festival", TestPaths.heldOutFestival().resolve("labels.tsv"),
                file -> file.substring(0, file.indexOf('/'))); // the condition folder: clean, 20, 10, 5
        assertEquals(240, counts.values().stream().mapToInt(ShippedClassifierScores.Count::clips).sum());
    }
}
