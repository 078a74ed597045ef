package io.scanflow.jobs.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class FailOnceTest {
    /** Fails at the N-th record of the run in this JVM, over all instances (subtasks, restarts), and never again. */
    @Test
    void failsOnceAtTheNthRecordOfTheRunAcrossInstances() {
        String run = UUID.randomUUID().toString();
        FailOnce<String> first = new FailOnce<>(run, 5);
        FailOnce<String> second = new FailOnce<>(run, 5);
        for (int i = 0; i < 2; i++) {
            assertEquals("x", first.map("x"));
            assertEquals("y", second.map("y"));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> first.map("z"));
        assertTrue(e.getMessage().contains("after 5 outputs"), e.getMessage());
        FailOnce<String> restarted = new FailOnce<>(run, 5);
        for (int i = 0; i < 10; i++) {
            assertEquals("r", restarted.map("r"));
        }
        FailOnce<String> otherRun = new FailOnce<>(UUID.randomUUID().toString(), 1);
        assertThrows(IllegalStateException.class, () -> otherRun.map("o"));
    }
}
