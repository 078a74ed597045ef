package io.scanflow.jobs.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class FailOnceTest {
    /**
     * Counts from the run's first completed checkpoint, fails at the N-th record over all instances
     * (subtasks, restarts) in this JVM, and never again.
     */
    @Test
    void failsOnceAtTheNthRecordAfterTheFirstCheckpointAcrossInstances() throws Exception {
        String run = UUID.randomUUID().toString();
        FailOnce<String> first = new FailOnce<>(run, 5);
        FailOnce<String> second = new FailOnce<>(run, 5);
        for (int i = 0; i < 10; i++) {
            assertEquals("b", first.map("b"), "no checkpoint has completed: nothing to restore, no failure");
        }
        second.notifyCheckpointComplete(1);
        first.notifyCheckpointComplete(1);
        for (int i = 0; i < 2; i++) {
            assertEquals("x", first.map("x"));
            assertEquals("y", second.map("y"));
        }
        assertFalse(FailOnce.failed(run));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> first.map("z"));
        assertTrue(e.getMessage().contains("after 5 outputs"), e.getMessage());
        assertTrue(FailOnce.failed(run), "a test can tell the failure happened");
        FailOnce<String> restarted = new FailOnce<>(run, 5);
        restarted.notifyCheckpointComplete(2);
        for (int i = 0; i < 10; i++) {
            assertEquals("r", restarted.map("r"));
        }
        FailOnce<String> otherRun = new FailOnce<>(UUID.randomUUID().toString(), 1);
        assertEquals("o", otherRun.map("o"));
        otherRun.notifyCheckpointComplete(1);
        assertThrows(IllegalStateException.class, () -> otherRun.map("o"));
    }
}
