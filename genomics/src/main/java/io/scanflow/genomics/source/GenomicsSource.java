package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded FLIP-27 source of reads from BAM, SAM, CRAM, FASTQ and FASTA files (format by content,
 * else by file name). Emits {@link SourceRecord}s: reads, and bad input as the {@link ReadOptions#policy()}
 * says; {@link BadInputRouter} splits them into a read stream and a side output.
 *
 * <pre>{@code
 * GenomicsSource source = GenomicsSource.forFiles(List.of(Path.of("reads.bam"))).build();
 * DataStream<SourceRecord> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "reads");
 * }</pre>
 */
public final class GenomicsSource implements Source<SourceRecord, GenomicsSplit, GenomicsEnumeratorState>,
        ResultTypeQueryable<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final List<String> files;
    private final ReadOptions options;

    private GenomicsSource(List<String> files, ReadOptions options) {
        this.files = List.copyOf(files);
        this.options = options;
    }

    /** A builder of a source over {@code files}. */
    public static Builder forFiles(List<Path> files) {
        return new Builder(files);
    }

    /** The files read. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        files.forEach(f -> out.add(Path.of(f)));
        return out;
    }

    /** How the files are split and read. */
    public ReadOptions options() {
        return options;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<SourceRecord, GenomicsSplit> createReader(SourceReaderContext context) {
        return new GenomicsSourceReader(context, options);
    }

    @Override
    public SplitEnumerator<GenomicsSplit, GenomicsEnumeratorState> createEnumerator(SplitEnumeratorContext<GenomicsSplit> context) {
        return new GenomicsSplitEnumerator(context, SplitPlanner.plan(files(), options));
    }

    @Override
    public SplitEnumerator<GenomicsSplit, GenomicsEnumeratorState> restoreEnumerator(SplitEnumeratorContext<GenomicsSplit> context,
            GenomicsEnumeratorState checkpoint) {
        return new GenomicsSplitEnumerator(context, checkpoint.splits());
    }

    @Override
    public SimpleVersionedSerializer<GenomicsSplit> getSplitSerializer() {
        return GenomicsSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<GenomicsEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new GenomicsEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }

    /** Files (checked to exist and to have a known format) and options. */
    public static final class Builder {
        private final List<String> files = new ArrayList<>();
        private ReadOptions options = ReadOptions.defaults();

        private Builder(List<Path> paths) {
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("expected at least one input file, found none");
            }
            for (Path p : paths) {
                io.scanflow.genomics.io.GenomicsFormat.of(p);
                if (!java.nio.file.Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(p + ": expected an input file, found "
                            + (java.nio.file.Files.exists(p) ? "a directory" : "nothing"));
                }
                files.add(p.toAbsolutePath().toString());
            }
        }

        /** How files are split and read. */
        public Builder options(ReadOptions o) {
            this.options = o;
            return this;
        }

        /** The source. */
        public GenomicsSource build() {
            return new GenomicsSource(files, options);
        }
    }
}
