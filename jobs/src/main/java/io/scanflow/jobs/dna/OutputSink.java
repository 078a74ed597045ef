package io.scanflow.jobs.dna;

import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the job's outputs go: files in a folder ({@code --out DIR}), or, for {@code --out -}, the
 * predictions on standard output and the per-sample summary on standard error (other outputs are not
 * written), so the command can sit in a pipe.
 */
public interface OutputSink {
    /** A writer for the text output {@code name} (a path relative to the folder), or null where this sink drops it. */
    Writer text(String name) throws IOException;

    /** The file for the image {@code name}, or null where this sink drops it. */
    Path image(String name) throws IOException;

    /** Removes an earlier run's {@code name} that this run does not write (so no output contradicts another). */
    void removeStale(String name) throws IOException;

    /** What the command prints after the run: where the outputs are. */
    String describe();

    static OutputSink folder(Path dir) {
        return new OutputSink() {
            @Override
            public Writer text(String name) throws IOException {
                Path file = dir.resolve(name);
                Files.createDirectories(file.getParent());
                return Files.newBufferedWriter(file);
            }

            @Override
            public Path image(String name) throws IOException {
                Files.createDirectories(dir);
                return dir.resolve(name);
            }

            @Override
            public void removeStale(String name) throws IOException {
                Files.deleteIfExists(dir.resolve(name));
            }

            @Override
            public String describe() {
                return "wrote " + dir.resolve("predictions.tsv") + ", samples.tsv, report.md, kraken/*.kreport, and a chart";
            }
        };
    }

    /** {@code predictions.tsv} to {@code out}, {@code samples.tsv} to {@code err}; both are flushed, not closed. */
    static OutputSink streams(PrintWriter out, PrintWriter err) {
        return new OutputSink() {
            @Override
            public Writer text(String name) {
                switch (name) {
                    case "predictions.tsv":
                        return unclosed(out);
                    case "samples.tsv":
                        return unclosed(err);
                    default:
                        return null;
                }
            }

            @Override
            public Path image(String name) {
                return null;
            }

            @Override
            public void removeStale(String name) {
            }

            @Override
            public String describe() {
                return "wrote predictions.tsv to standard output and samples.tsv to standard error";
            }
        };
    }

    private static Writer unclosed(PrintWriter w) {
        return new BufferedWriter(new FilterWriter(w) {
            @Override
            public void close() {
                w.flush();
            }
        });
    }
}
