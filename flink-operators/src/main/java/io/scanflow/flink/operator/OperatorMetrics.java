package io.scanflow.flink.operator;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The operator's metrics, registered in its own metric group. */
final class OperatorMetrics {
    private static final int HISTOGRAM_WINDOW = 1024;

    final Counter recordsIn;
    final Counter recordsOut;
    final Counter badRecords;
    final Counter tokens;
    final Histogram bundleSize;
    final Histogram engineLatencyMicros;

    OperatorMetrics(MetricGroup group, LongSupplier activeKeys, LongSupplier activeSessions, LongSupplier stateBytes) {
        recordsIn = group.counter("modelRecordsIn");
        recordsOut = group.counter("modelRecordsOut");
        badRecords = group.counter("badRecords");
        tokens = group.counter("tokens");
        group.meter("tokensPerSecond", new MeterView(tokens));
        bundleSize = group.histogram("bundleSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        engineLatencyMicros = group.histogram("engineLatencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge("activeKeys", (Gauge<Long>) activeKeys::getAsLong);
        group.gauge("activeSessions", (Gauge<Long>) activeSessions::getAsLong);
        group.gauge("stateBytes", (Gauge<Long>) stateBytes::getAsLong);
    }
}
