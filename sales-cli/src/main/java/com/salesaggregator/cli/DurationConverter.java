package com.salesaggregator.cli;

import com.salesaggregator.config.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/** Lets picocli options take durations in the forms {@link DurationText} accepts. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
