package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link IsoInstants#parse} must be {@link Instant#parse}, exactly: the same instant for every text
 * Instant.parse accepts, a DateTimeParseException for every text it refuses. Checked against
 * Instant.parse itself on canonical texts, on every calendar edge the fast path decides on its own,
 * and on every one-character change of canonical texts.
 */
class IsoInstantsTest {

    private static final char[] REPLACEMENTS = {
        '0', '1', '2', '3', '4', '5', '6', '9', 't', 'z', 'T', 'Z', '-', ':', '.', '+', ' ', '/',
        'a'
    };

    @Test
    void canonicalTextsParseAsInstantParseDoes() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L); // years 1-9999
            Instant instant = Instant.ofEpochSecond(seconds, nanos(random));
            assertSameAsInstantParse(instant.toString());
        }
    }

    @Test
    void fractionsOfEveryLengthParseAsInstantParseDoes() {
        String base = "2026-01-05T08:00:00";
        StringBuilder fraction = new StringBuilder();
        for (int digits = 1; digits <= 10; digits++) {
            fraction.append(digits % 10);
            assertSameAsInstantParse(base + "." + fraction + "Z");
        }
        assertSameAsInstantParse(base + ".Z");
        assertSameAsInstantParse(base + ".000000000Z");
        assertSameAsInstantParse(base + ".999999999Z");
    }

    @Test
    void calendarEdgesParseAsInstantParseDoes() {
        List<String> texts = new ArrayList<>();
        for (String year :
                List.of(
                        "0000", "0001", "1900", "1970", "1999", "2000", "2024", "2026", "2100",
                        "9999")) {
            for (int month = 0; month <= 13; month++) {
                for (int day : new int[] {0, 1, 28, 29, 30, 31, 32}) {
                    texts.add(String.format("%s-%02d-%02dT12:00:00Z", year, month, day));
                }
            }
        }
        for (String time :
                List.of(
                        "00:00:00",
                        "23:59:59",
                        "24:00:00",
                        "23:59:60",
                        "23:60:00",
                        "25:00:00",
                        "99:99:99")) {
            texts.add("2026-12-31T" + time + "Z");
            texts.add("2026-12-31T" + time + ".5Z");
        }
        texts.addAll(
                List.of(
                        "1969-12-31T23:59:59.999999999Z",
                        "1970-01-01T00:00:00Z",
                        "2026-01-05t08:00:00z",
                        "2026-01-05T08:00:00+01:00",
                        "2026-01-05T08:00:00-00:30",
                        "+2026-01-05T08:00:00Z",
                        "-0001-01-01T00:00:00Z",
                        "+10000-01-01T00:00:00Z",
                        "2026-01-05T08:00Z",
                        "2026-01-05 08:00:00Z",
                        "2026-1-05T08:00:00Z",
                        "２０２６-01-05T08:00:00Z",
                        "",
                        "Z"));
        for (String text : texts) {
            assertSameAsInstantParse(text);
        }
    }

    @Test
    void everyOneCharacterChangeParsesAsInstantParseDoes() {
        for (String text :
                List.of(
                        "2024-02-29T23:59:59Z",
                        "2026-01-05T08:00:00.123Z",
                        "2000-12-31T00:00:00.000000001Z")) {
            for (int i = 0; i < text.length(); i++) {
                for (char c : REPLACEMENTS) {
                    assertSameAsInstantParse(text.substring(0, i) + c + text.substring(i + 1));
                }
                assertSameAsInstantParse(text.substring(0, i) + text.substring(i + 1));
            }
        }
    }

    private static int nanos(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    private static void assertSameAsInstantParse(String text) {
        Object expected = outcome(() -> Instant.parse(text));
        Object actual = outcome(() -> IsoInstants.parse(text));
        assertThat(actual).as("'%s'", text).isEqualTo(expected);
    }

    /** The instant, or the class of the exception thrown. */
    private static Object outcome(java.util.function.Supplier<Instant> parse) {
        try {
            return parse.get();
        } catch (DateTimeParseException e) {
            return DateTimeParseException.class;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
