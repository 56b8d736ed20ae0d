package io.zootask.worker.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionDeadlineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(6);
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theDeadlineIsTheLastAnsweredSendTimePlusTheTimeoutLessTheMargin() {
        SessionDeadline deadline = new SessionDeadline(Duration.ofSeconds(2));
        deadline.heard(7, 10 * SECOND);
        assertThat(deadline.nanosLeft(7, TIMEOUT, 10 * SECOND)).isEqualTo(4 * SECOND);
        assertThat(deadline.nanosLeft(7, TIMEOUT, 14 * SECOND)).isZero();
        deadline.heard(7, 12 * SECOND);
        assertThat(deadline.nanosLeft(7, TIMEOUT, 14 * SECOND)).isEqualTo(2 * SECOND);
    }

    @Test
    void aLateReplyToAnOlderRequestDoesNotMoveTheDeadlineBack() {
        SessionDeadline deadline = new SessionDeadline(Duration.ofSeconds(2));
        deadline.heard(7, 12 * SECOND);
        deadline.heard(7, 11 * SECOND);
        assertThat(deadline.nanosLeft(7, TIMEOUT, 12 * SECOND)).isEqualTo(4 * SECOND);
    }

    @Test
    void aSessionNeverHeardFromHasNoTimeLeft() {
        SessionDeadline deadline = new SessionDeadline(Duration.ofSeconds(2));
        assertThat(deadline.nanosLeft(7, TIMEOUT, 0)).isZero();
        deadline.heard(8, 10 * SECOND);
        assertThat(deadline.nanosLeft(7, TIMEOUT, 10 * SECOND)).isZero();
        assertThat(deadline.nanosLeft(8, TIMEOUT, 10 * SECOND)).isEqualTo(4 * SECOND);
    }

    @Test
    void theMarginIsAtMostHalfTheTimeout() {
        SessionDeadline deadline = new SessionDeadline(Duration.ofSeconds(5));
        deadline.heard(7, 0);
        assertThat(deadline.nanosLeft(7, Duration.ofSeconds(4), 0)).isEqualTo(2 * SECOND);
    }
}
