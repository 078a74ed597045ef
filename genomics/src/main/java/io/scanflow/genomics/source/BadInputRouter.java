package io.scanflow.genomics.source;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInput;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Splits a source's records: reads flow on, bad input goes to {@link #BAD_INPUT}. */
public final class BadInputRouter extends ProcessFunction<SourceRecord, DnaRead> {
    private static final long serialVersionUID = 1L;

    /** The side output of input that could not be read. */
    public static final OutputTag<BadInput> BAD_INPUT = new OutputTag<>("bad-input", TypeInformation.of(BadInput.class));

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<DnaRead> out) {
        if (record.isBad()) {
            ctx.output(BAD_INPUT, record.bad());
        } else {
            out.collect(record.read());
        }
    }
}
