package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailBufferTest {

    @Test
    void keepsEverythingUnderCapacity() {
        TailBuffer buffer = new TailBuffer(16);
        byte[] bytes = "hello".getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, bytes.length);
        assertThat(buffer.text()).isEqualTo("hello");
        assertThat(buffer.truncated()).isFalse();
    }

    @Test
    void keepsTheLastBytesWhenOverCapacity() {
        TailBuffer buffer = new TailBuffer(4);
        byte[] bytes = "abcdefghij".getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, 3);
        buffer.write(bytes, 3, 7);
        assertThat(buffer.text()).isEqualTo("ghij");
        assertThat(buffer.truncated()).isTrue();
    }

    @Test
    void wrapsAroundAndTakesWritesLargerThanItself() {
        TailBuffer buffer = new TailBuffer(5);
        byte[] bytes = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, 3);   // 012
        buffer.write(bytes, 3, 4);   // 0123456 -> 23456
        assertThat(buffer.text()).isEqualTo("23456");
        buffer.write(bytes, 7, 13);  // larger than the buffer: only its last 5 bytes
        assertThat(buffer.text()).isEqualTo("fghij");
        buffer.write(bytes, 0, 2);
        assertThat(buffer.text()).isEqualTo("hij01");
        assertThat(buffer.written()).isEqualTo(22);
        assertThat(buffer.truncated()).isTrue();
    }
}
