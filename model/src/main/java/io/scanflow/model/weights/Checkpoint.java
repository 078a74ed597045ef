package io.scanflow.model.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Hugging Face style safetensors checkpoint, single-file or sharded, read through memory maps.
 *
 * <p>Every file is validated when opened, so a model either loads from a consistent checkpoint
 * or fails with a message that says exactly which file and tensor is wrong and how. Loading code
 * asks for each tensor with the shape its config implies ({@link #floats}) and finally calls
 * {@link #requireNoUnexpected} so that weights the model does not use cannot go unnoticed.
 *
 * <p>Reads are independent and may run concurrently; {@link #close} must not race them.
 */
public final class Checkpoint implements AutoCloseable {

    static final String SINGLE_FILE = "model.safetensors";
    private static final String SUFFIX = ".safetensors";
    private static final int NAMES_IN_MESSAGES = 5;

    private final Path directory;
    /** What messages call the checkpoint: the index for a sharded one, else the file. */
    private final Path source;
    private final SortedSet<String> names;
    private final Map<String, TensorInfo> tensors;
    private final Map<Path, SafetensorsFile> files;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private Checkpoint(Path directory, Path source, Map<String, TensorInfo> tensors,
            Map<Path, SafetensorsFile> files, Map<String, String> metadata) {
        this.directory = directory;
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(tensors.keySet()));
        this.files = files;
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens the checkpoint in {@code directory}: {@code model.safetensors.index.json} if present
     * (sharded), else {@code model.safetensors}, else the only {@code *.safetensors} file there.
     *
     * @throws CheckpointException if there is no checkpoint, several candidates, or any file is invalid
     */
    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new CheckpointException("checkpoint directory " + directory
                    + ": expected an existing directory, found " + (Files.exists(directory) ? "a file" : "nothing"));
        }
        Path index = directory.resolve(ShardIndex.FILE_NAME);
        if (Files.isRegularFile(index)) {
            return openSharded(directory, ShardIndex.read(index));
        }
        Path single = directory.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return openFile(single);
        }
        List<Path> candidates;
        try (Stream<Path> listing = Files.list(directory)) {
            candidates = listing
                    .filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new CheckpointException("cannot list checkpoint directory " + directory + ": " + e, e);
        }
        if (candidates.size() == 1) {
            return openFile(candidates.get(0));
        }
        String expected = "expected " + ShardIndex.FILE_NAME + ", " + SINGLE_FILE + " or a single *" + SUFFIX + " file";
        if (candidates.isEmpty()) {
            throw new CheckpointException("no checkpoint in " + directory + ": " + expected + ", found none");
        }
        throw new CheckpointException("ambiguous checkpoint in " + directory + ": " + expected + ", found "
                + candidates.size() + ": " + candidates.stream().map(p -> p.getFileName().toString())
                        .collect(Collectors.joining(", ")));
    }

    /** Opens one safetensors file as a whole checkpoint. */
    public static Checkpoint openFile(Path safetensorsFile) {
        if (!Files.isRegularFile(safetensorsFile)) {
            throw new CheckpointException("checkpoint file " + safetensorsFile + ": expected an existing file, found "
                    + (Files.exists(safetensorsFile) ? "a directory" : "nothing"));
        }
        SafetensorsFile file = SafetensorsFile.open(safetensorsFile);
        Path directory = safetensorsFile.toAbsolutePath().getParent();
        Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
        files.put(safetensorsFile, file);
        return new Checkpoint(directory, safetensorsFile, file.header.tensors, files, file.header.metadata);
    }

    private static Checkpoint openSharded(Path directory, ShardIndex index) {
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Path root = directory.toAbsolutePath().normalize();
            for (Map.Entry<String, String> e : index.weightMap.entrySet()) {
                String shardName = e.getValue();
                if (shards.containsKey(shardName)) {
                    continue;
                }
                Path shard = directory.resolve(shardName);
                if (!shard.toAbsolutePath().normalize().startsWith(root)) {
                    throw new CheckpointException("shard index " + index.path + ": expected tensor " + e.getKey()
                            + " to map to a file inside " + directory + ", found \"" + shardName + "\"");
                }
                if (!Files.isRegularFile(shard)) {
                    throw new CheckpointException("shard index " + index.path + " maps tensor " + e.getKey()
                            + " to shard " + shardName + ": expected file " + shard + ", found nothing");
                }
                shards.put(shardName, SafetensorsFile.open(shard));
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : index.weightMap.entrySet()) {
                SafetensorsFile shard = shards.get(e.getValue());
                TensorInfo info = shard.header.tensors.get(e.getKey());
                if (info == null) {
                    throw new CheckpointException("tensor " + e.getKey() + " is listed in " + index.path
                            + " for shard " + shard.path + ", but that shard does not contain it (found "
                            + shard.header.tensors.size() + " tensors there)");
                }
                tensors.put(e.getKey(), info);
            }
            for (SafetensorsFile shard : shards.values()) {
                for (String name : shard.header.tensors.keySet()) {
                    if (!shard.path.equals(tensors.containsKey(name) ? tensors.get(name).file() : null)) {
                        String listed = index.weightMap.containsKey(name)
                                ? "maps it to " + index.weightMap.get(name) : "does not list it";
                        throw new CheckpointException("tensor " + name + " in shard " + shard.path
                                + ": expected " + index.path + " to map it to this shard, but the index " + listed);
                    }
                }
            }
            Map<String, String> metadata = new LinkedHashMap<>(index.metadata);
            shards.values().forEach(s -> s.header.metadata.forEach(metadata::putIfAbsent));
            Map<Path, SafetensorsFile> files = new LinkedHashMap<>();
            shards.values().forEach(s -> files.put(s.path, s));
            return new Checkpoint(directory.toAbsolutePath(), index.path, tensors, files, metadata);
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The directory the checkpoint lives in (for a single file: its parent). */
    public Path directory() {
        return directory;
    }

    /** All tensor names, sorted. */
    public SortedSet<String> names() {
        return names;
    }

    /** Whether the checkpoint has a tensor named {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Where a tensor lives, without reading it.
     *
     * @throws CheckpointException "missing tensor" naming the checkpoint and the tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException("missing tensor " + name + " in " + source + ": expected it among the "
                    + tensors.size() + " tensors there, found no such name" + similarNames(name));
        }
        return info;
    }

    /**
     * Reads a tensor as float32, converting from its stored dtype.
     *
     * @param expectedShape the shape the model config implies; if given, a different stored shape is
     *     an error (pass nothing to skip the check)
     * @throws CheckpointException if the tensor is missing, has another shape, or holds NaN or infinity
     */
    public float[] floats(String name, long... expectedShape) {
        float[] values = decoded(name, expectedShape);
        requireFinite(name, info(name), values);
        return values;
    }

    /** The tensor's values as stored, NaN and infinities included (what the decoder tests read). */
    float[] decoded(String name, long... expectedShape) {
        TensorInfo info = info(name);
        if (expectedShape.length > 0 && !Arrays.equals(expectedShape, info.shape())) {
            throw new CheckpointException("tensor " + name + " in " + info.file() + ": expected shape "
                    + TensorInfo.shapeString(expectedShape) + " (from config), found " + info.shapeString());
        }
        if (closed) {
            throw new CheckpointException("tensor " + name + " in " + info.file()
                    + ": expected an open checkpoint, found it closed");
        }
        return files.get(info.file()).readFloats(info);
    }

    /**
     * A NaN or infinite weight makes every output NaN (or a constant) with no error of its own, so it
     * is refused here, where the file, tensor and element can still be named.
     */
    private static void requireFinite(String name, TensorInfo info, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new CheckpointException("tensor " + name + " in " + info.file() + ": expected finite values, found "
                        + values[i] + " at index " + i + " (of " + values.length + ")"
                        + (info.dtype() == DType.F64 && Float.isInfinite(values[i]) ? "; the F64 value is beyond the float32 range" : ""));
            }
        }
    }

    /**
     * Fails if the checkpoint holds tensors the model never read, which usually means a config
     * that does not match the weights (e.g. too few layers) or a renamed parameter.
     *
     * @param consumed names the loader read; names not in the checkpoint are ignored here, since
     *     reading them already failed
     */
    public void requireNoUnexpected(Set<String> consumed) {
        Objects.requireNonNull(consumed, "consumed");
        List<String> unexpected = new ArrayList<>();
        for (String name : names) {
            if (!consumed.contains(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(unexpected.size() + " unexpected tensor" + (unexpected.size() == 1 ? "" : "s")
                    + " in " + source + ": expected every tensor to be used by the model, found never read: "
                    + firstFew(unexpected));
        }
    }

    /** {@code __metadata__} of the file; for a sharded checkpoint the index metadata, then the shards'. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Releases the files; mapped tensors already returned stay valid (they are copies). */
    @Override
    public void close() {
        closed = true;
        files.values().forEach(SafetensorsFile::close);
    }

    /** Names ending in the same last component, e.g. another prefix for the same parameter. */
    private String similarNames(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        List<String> similar = names.stream()
                .filter(n -> n.equals(last) || n.endsWith("." + last))
                .collect(Collectors.toList());
        return similar.isEmpty() ? "" : " (similar: " + firstFew(similar) + ")";
    }

    private static String firstFew(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_IN_MESSAGES, names.size())));
        return names.size() > NAMES_IN_MESSAGES ? shown + " and " + (names.size() - NAMES_IN_MESSAGES) + " more" : shown;
    }
}
