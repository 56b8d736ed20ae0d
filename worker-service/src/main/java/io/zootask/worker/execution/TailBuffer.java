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
        if (length > ring.length) {
            // only the last ring.length bytes of this write can survive it
            written += length - ring.length;
            offset += length - ring.length;
            length = ring.length;
        }
        while (length > 0) {
            int at = (int) (written % ring.length);
            int n = Math.min(length, ring.length - at);
            System.arraycopy(bytes, offset, ring, at, n);
            written += n;
            offset += n;
            length -= n;
        }
    }

    synchronized boolean truncated() {
        return written > ring.length;
    }

    synchronized long written() {
        return written;
    }

    synchronized String text() {
        int size = (int) Math.min(written, ring.length);
        byte[] out = new byte[size];
        int start = (int) ((written - size) % ring.length);
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        // A cut may fall inside a multi-byte character: decoding replaces the broken head, never fails.
        return new String(out, StandardCharsets.UTF_8);
    }
}
