package io.zootask.protocol;

import java.time.Instant;

/**
 * Reads the instants in the protocol's data ({@code "2026-11-26T03:38:17.123456Z"}, as {@link Instant#toString()}
 * writes them) without {@link java.time.format.DateTimeFormatter}: the gateway decodes every status it tells of, and
 * {@code Instant.parse} was a sixth of its ZooKeeper event thread's time (profiled, batches over HTTP). Anything but
 * that canonical form (an offset, a leap second, an out-of-range field) goes to {@code Instant.parse}, so what is
 * accepted, and what is refused, is exactly what it accepts and refuses.
 */
final class IsoInstants {

    private static final int[] DAYS_BEFORE_MONTH = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    private IsoInstants() {
    }

    /** As {@link Instant#parse(CharSequence)}. */
    static Instant parse(String text) {
        Instant fast = canonical(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range, or null. */
    private static Instant canonical(String s) {
        int length = s.length();
        if (length < 20 || length > 30 || s.charAt(length - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month) || hour < 0
                || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (length > 20) {
            int fractionDigits = length - 21;
            if (s.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            nanos = digits(s, 20, fractionDigits);
            if (nanos < 0) {
                return null;
            }
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        long days = daysSinceEpoch(year, month, day);
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The value of {@code count} decimal digits from {@code start}, or -1 if any is not one. */
    private static int digits(String s, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean leap(int year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> leap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (year 0 to 9999). */
    private static long daysSinceEpoch(int year, int month, int day) {
        long y = year - 1; // leap years before this one: years 0, 4, 8 ... but not 100, 200, 300, 500 ...
        long leapYearsBefore = year == 0 ? 0 : y / 4 - y / 100 + y / 400 + 1;
        long daysBeforeYear = 365L * year + leapYearsBefore;
        long dayOfYear = DAYS_BEFORE_MONTH[month - 1] + (month > 2 && leap(year) ? 1 : 0) + day - 1;
        return daysBeforeYear + dayOfYear - 719_528; // 719 528: days from 0000-01-01 to 1970-01-01
    }
}
