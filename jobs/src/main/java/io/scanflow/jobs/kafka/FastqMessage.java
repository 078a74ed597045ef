package io.scanflow.jobs.kafka;

import java.nio.charset.StandardCharsets;

/**
 * One Kafka record of reads as a sequencer publishes them: the key is the sample (UTF-8), the value one
 * FASTQ record, four lines ({@code @id [description]}, bases, {@code +}, qualities; the last newline may be
 * left out). Reads of one sample share a partition, in order.
 */
public record FastqMessage(String sample, String id, String bases, String qualities) {
    /** The record key: the sample. */
    public byte[] key() {
        return sample.getBytes(StandardCharsets.UTF_8);
    }

    /** The record value: the FASTQ record. */
    public byte[] value() {
        return ("@" + id + "\n" + bases + "\n+\n" + qualities + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
