package io.scanflow.jobs.dna;

import io.scanflow.genomics.io.InputRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sample sheet: tab-separated, a header {@code sample<TAB>file} or {@code sample<TAB>file<TAB>file2},
 * then one sample a line with its reads file and, for paired reads, the mate-2 file (the column may be
 * empty for single-end samples). Relative paths are resolved against the sheet's folder; lines starting
 * with '#' are comments.
 *
 * @param files the input files, in sheet order
 * @param roles sample (and mate) of each file, by absolute path, as {@link io.scanflow.genomics.source.ReadOptions#roles()} takes them
 */
public record SampleSheet(List<Path> files, Map<String, InputRole> roles) {

    public static SampleSheet load(Path sheet) throws IOException {
        List<String> lines = Files.readAllLines(sheet);
        int header = 0;
        while (header < lines.size() && (lines.get(header).isBlank() || lines.get(header).startsWith("#"))) {
            header++;
        }
        if (header == lines.size()) {
            throw new IllegalArgumentException(sheet + ": expected a header line 'sample<TAB>file[<TAB>file2]', found an empty sheet");
        }
        String[] columns = lines.get(header).split("\t", -1);
        if (columns.length < 2 || columns.length > 3 || !columns[0].equals("sample") || !columns[1].equals("file")
                || (columns.length == 3 && !columns[2].equals("file2"))) {
            throw new IllegalArgumentException(sheet + ": line " + (header + 1) + ": expected the header 'sample<TAB>file' or"
                    + " 'sample<TAB>file<TAB>file2', found '" + lines.get(header).replace("\t", "<TAB>") + "'");
        }
        List<Path> files = new ArrayList<>();
        Map<String, InputRole> roles = new LinkedHashMap<>();
        for (int n = header + 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String at = sheet + ": line " + (n + 1) + ": ";
            String[] f = line.split("\t", -1);
            if (f.length < 2 || f.length > columns.length) {
                throw new IllegalArgumentException(at + "expected " + columns.length + " tab-separated fields, found " + f.length);
            }
            if (f[0].isEmpty()) {
                throw new IllegalArgumentException(at + "field 'sample': expected a sample name, found none");
            }
            if (f[1].isEmpty()) {
                throw new IllegalArgumentException(at + "field 'file': expected a reads file, found none");
            }
            boolean paired = f.length == 3 && !f[2].isEmpty();
            add(files, roles, sheet, at + "field 'file': ", f[1], new InputRole(f[0], paired ? 1 : 0));
            if (paired) {
                add(files, roles, sheet, at + "field 'file2': ", f[2], new InputRole(f[0], 2));
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(sheet + ": expected at least one sample line after the header, found none");
        }
        return new SampleSheet(List.copyOf(files), roles);
    }

    private static void add(List<Path> files, Map<String, InputRole> roles, Path sheet, String at, String name, InputRole role) {
        Path file = sheet.toAbsolutePath().getParent().resolve(name);
        InputRole earlier = roles.put(file.toAbsolutePath().toString(), role);
        if (earlier != null) {
            throw new IllegalArgumentException(at + name + " is already listed for sample " + earlier.sample());
        }
        files.add(file);
    }
}
