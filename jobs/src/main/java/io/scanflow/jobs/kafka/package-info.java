/**
 * Live streams through Kafka, with Flink's Kafka connector: {@code --input kafka://BROKERS/TOPIC} and
 * {@code --out kafka://BROKERS/TOPIC} of audio-classify and dna-classify. Input record formats:
 * {@link io.scanflow.jobs.kafka.PcmFrame} (audio) and {@link io.scanflow.jobs.kafka.FastqMessage} (reads);
 * output rows: {@link io.scanflow.jobs.kafka.OutputRow}, written by a transactional sink.
 */
package io.scanflow.jobs.kafka;
