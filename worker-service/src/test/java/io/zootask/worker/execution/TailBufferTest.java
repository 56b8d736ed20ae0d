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
}
