package io.scanflow.audio.source;

import io.scanflow.model.io.BadInput;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Routes the source's errors to a side output, so bad files never stop the good ones. */
public final class AudioRecords {
    /** Side output of {@link #splitErrors}: one record per stream that could not be read. */
    public static final OutputTag<BadInput> ERRORS = new OutputTag<>("audio-errors", TypeInformation.of(BadInput.class));

    private AudioRecords() {}

    /** Chunks on the main output, {@link BadInput}s on {@link #ERRORS}. */
    public static SingleOutputStreamOperator<AudioChunk> splitErrors(DataStream<AudioRecord> records) {
        return records.process(new Splitter()).name("audio errors to side output");
    }

    private static final class Splitter extends ProcessFunction<AudioRecord, AudioChunk> {
        @Override
        public void processElement(AudioRecord r, Context ctx, Collector<AudioChunk> out) {
            if (r.error != null) {
                ctx.output(ERRORS, r.error);
            } else {
                out.collect(r.chunk);
            }
        }
    }
}
