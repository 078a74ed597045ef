package io.scanflow.genomics.source;

import io.scanflow.genomics.io.SourceRecord;

/** A record as fetched, with the split's position and ordinal after it (what a checkpoint keeps). */
record PositionedRecord(SourceRecord record, long position, long ordinal) {
}
