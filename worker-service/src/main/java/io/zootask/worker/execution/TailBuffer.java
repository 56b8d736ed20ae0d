package io.zootask.worker.execution;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it, however much is written: a task that prints gigabytes costs
 * the worker {@code capacity} bytes, and its status stays far below ZooKeeper's 1 MB znode limit.
 */
final class TailBuffer {

    private final byte[] ring;
    private long written;

    TailBuffer(int capacity) {
        this.ring = new byte[Math.max(1, capacity)];
    }

    synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length; i++) {
            ring[(int) (written++ % ring.length)] = bytes[offset + i];
        }
    }

    synchronized boolean truncated() {
        return written > ring.length;
    }

    synchronized String text() {
        int size = (int) Math.min(written, ring.length);
        byte[] out = new byte[size];
        int start = (int) ((written - size) % ring.length);
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        // A cut may fall inside a multi-byte character: decoding replaces the broken head, never fails.
        return new String(out, StandardCharsets.UTF_8);
    }
}
