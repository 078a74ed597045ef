package io.scanflow.jobs.dna;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.FastaWindows;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Long reads (Nanopore, PacBio: 10-100 kb) are classified in windows like the short reads the model
 * was trained on: a read of more than {@value #LONG_READ} bases becomes windows of {@code window} bases
 * every {@code stride}, named {@code READ/wFROM-TO} (1-based, inclusive); {@link Calls} makes the read's
 * call from its windows' calls. Shorter reads pass unchanged.
 */
final class LongReadWindows implements FlatMapFunction<DnaRead, DnaRead> {
    /** Reads longer than this are cut into windows. */
    static final int LONG_READ = 1000;
    /** Marks a window in a read id: {@code READ/wFROM-TO}. */
    static final String MARK = "/w";
    private static final long serialVersionUID = 1L;

    private final int window;
    private final int stride;

    LongReadWindows(int window, int stride) {
        this.window = window;
        this.stride = stride;
    }

    @Override
    public void flatMap(DnaRead read, Collector<DnaRead> out) {
        String bases = read.bases();
        if (bases.length() <= LONG_READ) {
            out.collect(read);
            return;
        }
        for (int[] w : FastaWindows.of(bases.length(), window, stride)) {
            out.collect(new DnaRead(read.file(), read.id() + MARK + (w[0] + 1) + "-" + w[1], read.sample(),
                    bases.substring(w[0], w[1]), read.ordinal()));
        }
    }
}
