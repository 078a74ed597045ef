package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;
import java.io.Closeable;
import java.io.IOException;

/**
 * Reads one split in order. After each {@link #next} the cursor's {@link #position} is where a
 * restored reader must start to read the following record, and {@link #ordinal} counts the
 * records returned so far (both in the split's terms, see {@link GenomicsSplit}).
 */
public interface SplitCursor extends Closeable {

    /** The next record (a read or bad input), or null at the end of the split. */
    SourceRecord next() throws IOException;

    /** The position to resume from after the last record returned (its unit is the split's). */
    long position();

    /** Records returned from the split so far, counting from its start. */
    long ordinal();
}
