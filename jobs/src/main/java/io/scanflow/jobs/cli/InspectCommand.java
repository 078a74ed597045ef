package io.scanflow.jobs.cli;

import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.state.StateCodec;
import io.scanflow.model.weights.Checkpoint;
import io.scanflow.model.weights.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Describes a model folder: architecture, sizes, stored dtypes, parameters, state bytes per key. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, sizes, dtype, parameter count and state bytes per key.")
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR|URI", converter = ModelFolderConverter.class, description = "Model folder.")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // Loading the model validates every tensor against the config before anything is printed.
        SequenceModel m = ModelLoader.load(model);
        ModelConfig c = m.config();
        long parameters = 0;
        Map<String, Long> dtypes = new TreeMap<>();
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            for (String name : checkpoint.names()) {
                TensorInfo info = checkpoint.info(name);
                parameters += info.elementCount();
                dtypes.merge(info.dtype().name(), info.elementCount(), Long::sum);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        row(out, "model", model.toString());
        row(out, "architecture", c instanceof TransformerPsmConfig ? c.architecture()
                : c.architecture() + " (" + c.layout().name().toLowerCase().replace('_', '-') + " layout)");
        row(out, "layers", String.valueOf(c.numLayers()));
        row(out, "hidden size", String.valueOf(c.hiddenSize()));
        row(out, "vocabulary", String.valueOf(c.vocabSize()));
        if (c instanceof MambaConfig) {
            MambaConfig mc = (MambaConfig) c;
            row(out, "inner size", String.valueOf(mc.intermediateSize()));
            row(out, "state size", String.valueOf(mc.stateSize()));
            row(out, "conv kernel", String.valueOf(mc.convKernel()));
            row(out, "delta rank", String.valueOf(mc.dtRank()));
        } else if (c instanceof TransformerPsmConfig) {
            TransformerPsmConfig pc = (TransformerPsmConfig) c;
            row(out, "heads", String.valueOf(pc.numHeads()));
            row(out, "PSM chunk", String.valueOf(pc.chunkSize()));
            row(out, "blocks", "Enc " + pc.encLayers() + ", Agg " + pc.aggLayers() + ", Inf " + pc.infLayers());
            row(out, "max stream", String.format("2^%d - 1 chunks", pc.maxChunksLog2()));
        } else {
            Mamba2Config mc = (Mamba2Config) c;
            row(out, "inner size", String.valueOf(mc.intermediateSize()));
            row(out, "heads", mc.numHeads() + " x " + mc.headDim());
            row(out, "groups", String.valueOf(mc.numGroups()));
            row(out, "state size", String.valueOf(mc.stateSize()));
            row(out, "conv kernel", String.valueOf(mc.convKernel()));
            row(out, "SSD chunk", String.valueOf(mc.chunkSize()));
        }
        row(out, "tied head", String.valueOf(c.tieEmbeddings()));
        row(out, "stored dtype", dtypes.toString().replaceAll("[{}]", "") + " (computed in float32)");
        row(out, "parameters", String.format("%,d", parameters));
        row(out, "state per key", String.format("%,d floats, %,d bytes serialized",
                c.stateFloats(), StateCodec.encodedSize(m.newState())));
        row(out, "fingerprint", String.format("%016x", m.fingerprint()));
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-14s %s%n", key, value);
    }
}
