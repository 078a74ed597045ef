package io.scanflow.jobs.dna;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where an output came from, as its first line: the ScanFlow version, the command line, and the model
 * by name and SHA-256, so a file found later says what made it.
 *
 * @param modelSha256 SHA-256 over the model's files that decide its answers, in this order:
 *                    {@value #FINGERPRINTED} (each file's name, a NUL, its bytes)
 */
public record Provenance(String version, String commandLine, String model, String modelSha256) {
    static final String FINGERPRINTED = "config.json, model.safetensors, head.json, head.safetensors";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    /** The provenance of a run of {@code args} (the command line after {@code scanflow}) on the model in {@code modelDir}. */
    public static Provenance of(List<String> args, Path modelDir) {
        StringBuilder line = new StringBuilder("scanflow");
        for (String a : args) {
            line.append(' ').append(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        String v = Provenance.class.getPackage().getImplementationVersion();
        return new Provenance(v == null ? "development build" : v, line.toString(),
                modelDir.toAbsolutePath().normalize().getFileName().toString(), fingerprint(modelDir));
    }

    /** One line, without a comment marker: {@code scanflow VERSION; command: ...; model: NAME sha256:HEX}. */
    public String line() {
        return "scanflow " + version + "; command: " + commandLine + "; model: " + model + " sha256:" + modelSha256;
    }

    static String fingerprint(Path modelDir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (String name : FINGERPRINTED.split(", ")) {
                sha.update((name + '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try (InputStream in = Files.newInputStream(modelDir.resolve(name))) {
                    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new IllegalArgumentException(modelDir + ": cannot read the model's files for its fingerprint: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java", e);
        }
    }
}
