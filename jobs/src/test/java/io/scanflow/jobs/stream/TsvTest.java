package io.scanflow.jobs.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TsvTest {
    @Test
    void aFieldWithTabsAndLineBreaksStaysOneFieldOfOneRow() {
        String problem = "Error parsing text SAM file.\nNot enough fields;\tLine 3\r\nLine: r1\\x";
        String row = Tsv.row("reads.sam", "#3", "line", problem);
        assertEquals(1, row.lines().count(), row);
        assertEquals(4, row.stripTrailing().split("\t", -1).length, row);
        assertEquals("Error parsing text SAM file.\\nNot enough fields;\\tLine 3\\r\\nLine: r1\\\\x", row.split("\t", -1)[3].strip());
        assertEquals(problem, Tsv.unescape(row.stripTrailing().split("\t", -1)[3]));
        assertEquals("plain", Tsv.field("plain"));
    }
}
