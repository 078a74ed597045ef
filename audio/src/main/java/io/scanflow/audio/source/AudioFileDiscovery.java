package io.scanflow.audio.source;

import io.scanflow.audio.AudioFormatException;
import io.scanflow.audio.io.AudioFiles;
import io.scanflow.model.io.InputNames;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns the configured inputs (files, folders) into splits: one per file, or one per channel. Folders are
 * listed (not recursively) in name order; hidden files are skipped. Stream keys are file names, made
 * unique by {@link InputNames} where two inputs share one ({@code a/clip.wav}, {@code b/clip.wav}): a key
 * that named two files would merge their streams. Names are chosen against every file listed so far, so
 * a file found later never takes the name of one already read.
 */
final class AudioFileDiscovery implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> inputs;
    private final boolean perChannel;

    AudioFileDiscovery(List<String> inputs, boolean perChannel) {
        this.inputs = List.copyOf(inputs);
        this.perChannel = perChannel;
    }

    /** Splits for every file not in {@code seen}; adds their paths to {@code seen}. */
    List<AudioSplit> discover(Collection<String> seen) {
        List<AudioSplit> splits = new ArrayList<>();
        List<Path> listed = files();
        List<Path> known = new ArrayList<>(listed);
        seen.forEach(p -> known.add(Path.of(p)));
        List<String> names = InputNames.of(known);
        for (int i = 0; i < listed.size(); i++) {
            Path file = known.get(i);
            String path = file.toAbsolutePath().normalize().toString();
            if (seen.contains(path)) {
                continue;
            }
            seen.add(path);
            String name = names.get(i);
            int channels = 1;
            if (perChannel) {
                try {
                    channels = AudioFiles.channels(file);
                } catch (AudioFormatException | UncheckedIOException e) {
                    channels = 1; // the reader reports the problem through the error side output
                }
            }
            if (!perChannel || channels == 1) {
                splits.add(new AudioSplit(path, AudioFiles.MIX_DOWN, name, 0, false));
            } else {
                for (int c = 0; c < channels; c++) {
                    splits.add(new AudioSplit(path, c, name + "#c" + c, 0, false));
                }
            }
        }
        return splits;
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (String input : inputs) {
            Path p = Path.of(input);
            if (Files.isDirectory(p)) {
                try (Stream<Path> listing = Files.list(p)) {
                    listing.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted()
                            .forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(p + ": cannot list: " + e.getMessage(), e);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }
}
