package com.salesaggregator.testkit;

import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.SeedRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The seeder's deterministic data for fault tests and the soak, handed out in slices: the catalog
 * and FX rates first, then sales on both channels with rate updates, catalog changes (delistings
 * included), malformed records and upstream resends mixed in. Same seed, same records.
 */
public final class SeededSales {

    private final SalesGenerator generator;
    private long sales;
    private long latestEventTime;
    private long lastHeartbeat = Long.MIN_VALUE;

    private SeededSales(GeneratorConfig config) {
        this.generator = new SalesGenerator(config);
        this.latestEventTime = config.startTime().toEpochMilli();
    }

    /**
     * Data for a fault test: {@code salesPerSecond} sales per second of event time from a whole
     * minute an hour ago (brokers refuse record timestamps more than an hour ahead of their clock),
     * with malformed records and resends but no late sales, so that any late line is one the job
     * found late on its own.
     */
    public static SeededSales forTest(long seed, double salesPerSecond) {
        return forTest(seed, salesPerSecond, 0.02);
    }

    /** As {@link #forTest(long, double)}, with {@code malformedFraction} of the sales malformed. */
    public static SeededSales forTest(long seed, double salesPerSecond, double malformedFraction) {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(1));
        return new SeededSales(
                new GeneratorConfig(
                        seed,
                        start,
                        salesPerSecond,
                        40,
                        8,
                        6,
                        List.of("eu-west", "uk", "us-east", "japan"),
                        List.of("EUR", "GBP", "USD", "JPY"),
                        0.6,
                        Duration.ofSeconds(20),
                        1.0,
                        0,
                        Duration.ofMinutes(5),
                        malformedFraction,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(40),
                        0.01));
    }

    /**
     * Data for the soak: the seeder's defaults (late sales included) at {@code salesPerSecond},
     * event time starting {@code lead} before now, so that a feed paced at that rate keeps event
     * time that far behind the wall clock.
     */
    public static SeededSales forSoak(long seed, double salesPerSecond, Duration lead) {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(lead);
        return new SeededSales(
                GeneratorConfig.defaults(seed, start).withRatePerSecond(salesPerSecond));
    }

    /** The next records, up to and including the {@code count}th sale from here. */
    public List<Planned> next(int count) {
        List<Planned> records = new ArrayList<>();
        long until = sales + count;
        while (sales < until) {
            SeedRecord record = generator.next();
            if (record.kind().isSale()) {
                sales++;
            }
            latestEventTime = Math.max(latestEventTime, generator.clockAt(sales));
            records.add(
                    new Planned(
                            record.topic(),
                            null,
                            record.key(),
                            record.value(),
                            record.timestamp()));
        }
        return records;
    }

    /**
     * The time of a reference heartbeat that may follow the records handed out so far, as the
     * seeder's bulk mode chooses it: the event clock, but never later than a reference change still
     * to come, and never earlier than the previous one.
     */
    public long heartbeatTime() {
        lastHeartbeat =
                Math.max(
                        lastHeartbeat,
                        Math.min(generator.eventClock(), generator.referenceSettledUntil()));
        return lastHeartbeat;
    }

    /** The generator's clock after the last sale handed out: no sale so far is later. */
    public long latestEventTime() {
        return latestEventTime;
    }
}
