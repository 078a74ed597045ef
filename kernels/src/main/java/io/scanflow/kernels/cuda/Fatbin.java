package io.scanflow.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The compiled kernels packed in the jar ({@code scanflow.fatbin}: sm_80 and sm_90 machine code plus
 * compute_90 PTX) and the record of the sources they were built from ({@code scanflow.fatbin.sha256}).
 *
 * <p>The source hash is defined once, here and in {@code kernels/build-fatbin.sh}: sha256 of the lines
 * {@code "<sha256 of file>  <path>\n"} for every {@code src/main/cuda/*.cu}, {@code *.cuh} and
 * {@code build-fatbin.sh}, sorted by path (paths relative to the kernels module).
 */
public final class Fatbin {
    static final String RESOURCE = "/io/scanflow/kernels/cuda/scanflow.fatbin";
    static final String RECORD = RESOURCE + ".sha256";

    private Fatbin() {}

    /** The fatbin bytes, as {@code cuModuleLoadData} takes them. */
    public static byte[] load() {
        return resource(RESOURCE);
    }

    /** The build record: {@code sources}, {@code fatbin} (hex sha256) and {@code nvcc}. */
    public static Map<String, String> record() {
        Map<String, String> m = new HashMap<>();
        for (String line : new String(resource(RECORD), StandardCharsets.UTF_8).split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                m.put(line.substring(0, sp), line.substring(sp + 1).trim());
            }
        }
        return m;
    }

    /** The source hash of a kernels module checkout (see the class comment). */
    public static String sourceHash(Path kernelsModule) {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(kernelsModule.resolve("src/main/cuda"))) {
            s.map(p -> "src/main/cuda/" + p.getFileName())
                    .filter(n -> n.endsWith(".cu") || n.endsWith(".cuh"))
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add("build-fatbin.sh");
        files.sort(null);
        StringBuilder manifest = new StringBuilder();
        for (String f : files) {
            try {
                manifest.append(sha256(Files.readAllBytes(kernelsModule.resolve(f)))).append("  ").append(f).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sha256(manifest.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = Fatbin.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the kernels jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
