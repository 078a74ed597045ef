package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.TestData;
import io.scanflow.model.io.BadInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source in a real (embedded) Flink job: two readers share the splits; bad input goes to the side output. */
class GenomicsSourceJobTest {

    @Test
    void twoReadersReadEveryReadOnceAndBadInputGoesToTheSideOutput(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.bam");
        Files.writeString(broken, "not a bam\n");
        GenomicsSource source = GenomicsSource.forFiles(List.of(TestData.demoBam(), TestData.references(), broken))
                .options(ReadOptions.defaults().withRecordsPerSplit(100).withWindowsPerSplit(10)).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        DataStream<SourceRecord> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "genomics");
        SingleOutputStreamOperator<DnaRead> reads = records.process(new BadInputRouter()).returns(TypeInformation.of(DnaRead.class));
        DataStream<String> all = reads.map(r -> "read\t" + r.file() + "\t" + r.id()).returns(String.class)
                .union(reads.getSideOutput(BadInputRouter.BAD_INPUT).map(BadInput::describe).returns(String.class));
        List<String> out = all.executeAndCollect(100_000);

        Set<String> distinct = new HashSet<>(out);
        assertEquals(out.size(), distinct.size(), "no record twice");
        long bam = out.stream().filter(s -> s.startsWith("read\tape-demo.bam\t")).count();
        long fasta = out.stream().filter(s -> s.startsWith("read\tapes-mtdna.fa\t")).count();
        assertEquals(1080, bam);
        // 18 references of 761-896 bases in windows of 150 every 150: 6 windows each.
        assertEquals(18 * 6, fasta);
        List<String> bad = out.stream().filter(s -> !s.startsWith("read\t")).toList();
        assertEquals(1, bad.size());
        assertTrue(bad.get(0).startsWith("broken.bam: record 'header': field 'magic': expected a BGZF block"), bad.get(0));
    }
}
