package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.audio.TestPaths;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The shipped classifier on the shipped demo clips (held-out espeak-ng voices), decoding, features, model
 * and head, against the count metrics.json and docs/audio.md quote.
 */
class DemoClipsClassificationTest {

    @Test
    void shippedClassifierRecognisesTheDemoDigits() throws IOException {
        var counts = ShippedClassifierScores.assertQuotedCounts("testdata/audio/digits", TestPaths.demoLabels(),
                file -> "all");
        assertEquals(30, counts.get("all").clips());
    }
}
