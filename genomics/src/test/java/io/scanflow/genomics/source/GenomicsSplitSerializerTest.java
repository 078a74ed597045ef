package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.genomics.io.GenomicsFormat;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenomicsSplitSerializerTest {
    private static final GenomicsSplit SPLIT = new GenomicsSplit("0:ape-demo.bam:3", "/data/ape-demo.bam",
            GenomicsFormat.BAM, GenomicsSplit.Unit.VIRTUAL_OFFSET, 5_242_880_000L, GenomicsSplit.TO_END, 5_243_000_123L, 42);

    /** Version 1 bytes, written once and pinned: every later version must still read them. */
    private static final String V1_HEX = "0010303a6170652d64656d6f2e62616d3a33"
            + "00122f646174612f6170652d64656d6f2e62616d"
            + "000342414d"
            + "000e5649525455414c5f4f4646534554"
            + "0000000138800000" + "7fffffffffffffff" + "000000013881d53b" + "000000000000002a";

    /** Version 2 bytes, pinned likewise: version 1 with the input's name after the path. */
    private static final String V2_HEX = "0010303a6170652d64656d6f2e62616d3a33"
            + "00122f646174612f6170652d64656d6f2e62616d"
            + "000e612f6170652d64656d6f2e62616d"
            + "000342414d"
            + "000e5649525455414c5f4f4646534554"
            + "0000000138800000" + "7fffffffffffffff" + "000000013881d53b" + "000000000000002a";

    private static final GenomicsSplit NAMED = new GenomicsSplit("0:ape-demo.bam:3", "/data/ape-demo.bam",
            "a/ape-demo.bam", GenomicsFormat.BAM, GenomicsSplit.Unit.VIRTUAL_OFFSET, 5_242_880_000L, GenomicsSplit.TO_END,
            5_243_000_123L, 42);

    @Test
    void readsVersionOneBytesNamingTheSplitByItsFileName() throws IOException {
        GenomicsSplit read = GenomicsSplitSerializer.INSTANCE.deserialize(1, HexFormat.of().parseHex(V1_HEX));
        assertEquals(SPLIT, read);
        assertEquals("ape-demo.bam", read.name());
    }

    @Test
    void writesAndReadsVersionTwoLayout() throws IOException {
        assertEquals(2, GenomicsSplitSerializer.INSTANCE.getVersion());
        assertArrayEquals(HexFormat.of().parseHex(V2_HEX), GenomicsSplitSerializer.INSTANCE.serialize(NAMED));
        assertEquals(NAMED, GenomicsSplitSerializer.INSTANCE.deserialize(2, HexFormat.of().parseHex(V2_HEX)));
    }

    @Test
    void roundTripsEveryUnit() throws IOException {
        for (GenomicsSplit s : List.of(SPLIT,
                new GenomicsSplit("1:r.fa:0", "/r.fa", GenomicsFormat.FASTA, GenomicsSplit.Unit.WINDOW, 10, 20, 15, 5),
                new GenomicsSplit("2:r.fq:0", "/r.fq", GenomicsFormat.FASTQ, GenomicsSplit.Unit.RECORD, 0, GenomicsSplit.TO_END, 7, 7))) {
            byte[] b = GenomicsSplitSerializer.INSTANCE.serialize(s);
            assertEquals(s, GenomicsSplitSerializer.INSTANCE.deserialize(GenomicsSplitSerializer.VERSION, b));
        }
    }

    @Test
    void unknownVersionIsAnError() {
        IOException e = assertThrows(IOException.class, () -> GenomicsSplitSerializer.INSTANCE.deserialize(3, new byte[0]));
        assertTrue(e.getMessage().contains("expected serializer version 1 or 2, found 3"), e.getMessage());
    }

    @Test
    void enumeratorStateRoundTrips() throws IOException {
        GenomicsEnumeratorStateSerializer ser = new GenomicsEnumeratorStateSerializer();
        GenomicsEnumeratorState state = new GenomicsEnumeratorState(List.of(SPLIT, NAMED.at(NAMED.end(), 50)));
        assertEquals(state, ser.deserialize(ser.getVersion(), ser.serialize(state)));
    }
}
