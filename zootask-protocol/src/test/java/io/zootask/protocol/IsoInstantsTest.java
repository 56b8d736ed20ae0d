package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    @Test
    void readsWhatInstantWritesAsInstantReadsIt() {
        Random random = new Random(20261126);
        long from = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long seconds = from + (long) (random.nextDouble() * (to - from));
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            String text = Instant.ofEpochSecond(seconds, nanos).toString();
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void theEdgesOfTheCalendarAndOfTheFraction() {
        for (String text : List.of("1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2000-02-29T12:00:00Z",
                "2100-02-28T23:59:59Z", "2024-12-31T23:59:59.5Z", "0000-01-01T00:00:00Z", "0000-03-01T00:00:00Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.1Z", "2026-11-26T03:38:17.12345678Z")) {
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void anythingElseIsReadOrRefusedAsInstantDoes() {
        // offsets, leap days that are not, 24:00, an empty or long fraction, a lower-case z, no zone, ...
        for (String text : List.of("2026-11-26T03:38:17+01:00", "+12026-11-26T03:38:17Z", "2026-11-26T03:38Z",
                "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T03:38:17.Z",
                "2026-11-26T03:38:17.1234567890Z", "2026-11-26 03:38:17Z", "2026-11-26T03:38:17z",
                "20x6-11-26T03:38:17Z", "2026-11-26T03:38:17", "2026-11-26T03:38:60Z", "")) {
            Instant expected;
            try {
                expected = Instant.parse(text);
            } catch (DateTimeParseException e) {
                assertThatThrownBy(() -> IsoInstants.parse(text)).as(text)
                        .isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(expected);
        }
    }
}
