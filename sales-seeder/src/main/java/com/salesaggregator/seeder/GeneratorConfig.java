package com.salesaggregator.seeder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link SalesGenerator} produces. Same config, same records, byte for byte.
 *
 * @param seed random seed
 * @param startTime event time of the first sale; reference data are valid from an hour before
 * @param ratePerSecond sales per second of event time
 * @param catalogSize products in the catalog
 * @param sellers distinct sellers
 * @param stores distinct stores
 * @param regions sales regions; region {@code i} uses currency {@code i mod currencies}
 * @param currencies ISO 4217 codes in use
 * @param onlineFraction share of sales that are online orders (the rest are store receipts)
 * @param maxOutOfOrderness how far behind the stream's clock an on-time sale may be
 * @param outOfOrderFraction share of on-time sales that are out of order, anywhere up to {@code
 *     maxOutOfOrderness} behind the clock (a till that uploads its receipts in batches, a retried
 *     request); the others are published within {@link #PROMPT} of their event time. 1 puts every
 *     on-time sale anywhere within {@code maxOutOfOrderness}
 * @param lateFraction share of sales planned to arrive late
 * @param lateBy how far behind the clock a late sale is, at least (plus up to a minute)
 * @param malformedFraction share of sales published with a planned defect
 * @param fxUpdateInterval event time between rate updates
 * @param catalogChangeInterval event time between catalog changes (cost update or delisting)
 * @param resendFraction share of valid sales published a second time, a few seconds later, as a
 *     producer resend would (the job counts them once and dead-letters the copy as DUPLICATE)
 */
public record GeneratorConfig(
        long seed,
        Instant startTime,
        double ratePerSecond,
        int catalogSize,
        int sellers,
        int stores,
        List<String> regions,
        List<String> currencies,
        double onlineFraction,
        Duration maxOutOfOrderness,
        double outOfOrderFraction,
        double lateFraction,
        Duration lateBy,
        double malformedFraction,
        Duration fxUpdateInterval,
        Duration catalogChangeInterval,
        double resendFraction) {

    /** How far behind its clock a sale that is not out of order may be, at most. */
    public static final Duration PROMPT = Duration.ofSeconds(1);

    public GeneratorConfig {
        Objects.requireNonNull(startTime, "startTime");
        regions = List.copyOf(regions);
        currencies = List.copyOf(currencies);
        positive(ratePerSecond, "rate");
        positive(catalogSize, "catalog-size");
        positive(sellers, "sellers");
        positive(stores, "stores");
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("regions: at least one region is needed");
        }
        if (currencies.isEmpty()) {
            throw new IllegalArgumentException("currencies: at least one currency is needed");
        }
        for (String currency : currencies) {
            if (!currency.matches("[A-Z]{3}")) {
                throw new IllegalArgumentException(
                        "currencies: '" + currency + "' is not an ISO 4217 code like EUR");
            }
        }
        fraction(onlineFraction, "online-fraction");
        fraction(outOfOrderFraction, "out-of-order-fraction");
        fraction(lateFraction, "late-fraction");
        fraction(malformedFraction, "malformed-fraction");
        if (lateFraction + malformedFraction > 1) {
            throw new IllegalArgumentException(
                    "late-fraction + malformed-fraction must not exceed 1");
        }
        notNegative(maxOutOfOrderness, "max-out-of-orderness");
        positive(lateBy, "late-by");
        if (lateBy.compareTo(maxOutOfOrderness) <= 0) {
            throw new IllegalArgumentException("late-by must exceed max-out-of-orderness");
        }
        positive(fxUpdateInterval, "fx-update-interval");
        positive(catalogChangeInterval, "catalog-change-interval");
        fraction(resendFraction, "resend-fraction");
    }

    /** Realistic defaults for a demo; every field can be changed through the seeder options. */
    public static GeneratorConfig defaults(long seed, Instant startTime) {
        return new GeneratorConfig(
                seed,
                startTime,
                100,
                200,
                20,
                30,
                List.of("eu-west", "uk", "us-east", "nordics", "switzerland", "japan"),
                List.of("EUR", "GBP", "USD", "SEK", "CHF", "JPY"),
                0.6,
                Duration.ofSeconds(30),
                0.2,
                0.01,
                Duration.ofMinutes(5),
                0.005,
                Duration.ofSeconds(30),
                Duration.ofMinutes(2),
                0.002);
    }

    /** This configuration at another sales rate. */
    public GeneratorConfig withRatePerSecond(double rate) {
        return new GeneratorConfig(
                seed,
                startTime,
                rate,
                catalogSize,
                sellers,
                stores,
                regions,
                currencies,
                onlineFraction,
                maxOutOfOrderness,
                outOfOrderFraction,
                lateFraction,
                lateBy,
                malformedFraction,
                fxUpdateInterval,
                catalogChangeInterval,
                resendFraction);
    }

    private static void positive(double value, String option) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
    }

    private static void positive(Duration value, String option) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, was " + value);
        }
    }

    private static void notNegative(Duration value, String option) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative, was " + value);
        }
    }

    private static void fraction(double value, String option) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(option + " must be within [0, 1], was " + value);
        }
    }
}
