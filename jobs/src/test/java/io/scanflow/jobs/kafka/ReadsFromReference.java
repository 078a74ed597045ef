package io.scanflow.jobs.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads cut from a FASTA reference, 150 bases every 75, dealt to FASTQ files in turn (one sample per file). */
final class ReadsFromReference {
    private ReadsFromReference() {
    }

    /** Writes the FASTQ files and returns the same reads as messages keyed by each file's name (its sample). */
    static List<FastqMessage> write(Path fasta, List<Path> fastqFiles) throws IOException {
        Map<String, StringBuilder> contigs = new LinkedHashMap<>();
        StringBuilder current = null;
        for (String line : Files.readAllLines(fasta)) {
            if (line.startsWith(">")) {
                current = contigs.computeIfAbsent(line.substring(1).split(" ")[0], k -> new StringBuilder());
            } else {
                current.append(line.trim());
            }
        }
        List<FastqMessage> reads = new ArrayList<>();
        List<StringBuilder> files = new ArrayList<>();
        fastqFiles.forEach(f -> files.add(new StringBuilder()));
        for (Map.Entry<String, StringBuilder> c : contigs.entrySet()) {
            String bases = c.getValue().toString().replace("-", "");
            for (int start = 0; start + 150 <= bases.length(); start += 75) {
                int file = reads.size() % fastqFiles.size();
                FastqMessage m = new FastqMessage(fastqFiles.get(file).getFileName().toString(),
                        c.getKey() + "." + start, bases.substring(start, start + 150), "I".repeat(150));
                reads.add(m);
                files.get(file).append(new String(m.value(), java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        for (int i = 0; i < fastqFiles.size(); i++) {
            Files.writeString(fastqFiles.get(i), files.get(i));
        }
        return reads;
    }
}
