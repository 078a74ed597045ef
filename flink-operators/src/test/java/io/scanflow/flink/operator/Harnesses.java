package io.scanflow.flink.operator;

import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedChunk;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.model.testing.Fixture;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Test harnesses around the model operator, on the tiny Mamba-1 fixture and the CPU engine. */
final class Harnesses {
    static final int MAX_PARALLELISM = 128;

    private Harnesses() {}

    static Path modelDir() {
        return Fixture.root().resolve("models").resolve("mamba1-tied");
    }

    static ModelSpec spec() {
        return ModelSpec.of(modelDir()).withEngine(io.scanflow.flink.EngineChoice.CPU).withChunkLength(16);
    }

    static <OUT> KeyedOneInputStreamOperatorTestHarness<String, ScanInput, OUT> create(Serializable mode, ScanOptions options)
            throws Exception {
        return create(mode, options, 1, 0);
    }

    static <OUT> KeyedOneInputStreamOperatorTestHarness<String, ScanInput, OUT> create(Serializable mode, ScanOptions options,
                                                                                   int parallelism, int subtask)
            throws Exception {
        return create(spec(), mode, options, parallelism, subtask);
    }

    static <OUT> KeyedOneInputStreamOperatorTestHarness<String, ScanInput, OUT> create(ModelSpec spec, Serializable mode,
                                                                                   ScanOptions options, int parallelism,
                                                                                   int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new ModelOperatorFactory<OUT>(spec, options, mode),
                new ScanOperators.StreamKey(), Types.STRING, MAX_PARALLELISM, parallelism, subtask);
    }

    /** A harness around the generate operator that emits a chunk per session per round. */
    static KeyedOneInputStreamOperatorTestHarness<String, ScanInput, GeneratedChunk> createChunks(ModelSpec spec,
            Generate mode, ScanOptions options) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(ModelOperatorFactory.generateChunks(spec, options, mode),
                new ScanOperators.StreamKey(), Types.STRING, MAX_PARALLELISM, 1, 0);
    }

    /** Runs the mails the operator queued (generation rounds, resumed work) until none is left. */
    static void drainMailbox(KeyedOneInputStreamOperatorTestHarness<String, ScanInput, ?> h) throws Exception {
        TaskMailbox mailbox = h.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    @SuppressWarnings("unchecked")
    static <OUT> List<OUT> values(KeyedOneInputStreamOperatorTestHarness<String, ScanInput, OUT> h) {
        List<OUT> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord) {
                out.add(((StreamRecord<OUT>) o).getValue());
            }
        }
        return out;
    }
}
