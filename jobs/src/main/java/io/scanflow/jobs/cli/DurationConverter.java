package io.scanflow.jobs.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;

/** Durations as Flink writes them: {@code 500ms}, {@code 2s}, {@code 1min}, {@code 1h}; a bare number is milliseconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            Duration d = TimeUtils.parseDuration(value);
            if (d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 2s, 1min)");
        }
    }

    /** A duration as a user would write it. */
    static String format(Duration d) {
        return TimeUtils.formatWithHighestUnit(d);
    }
}
