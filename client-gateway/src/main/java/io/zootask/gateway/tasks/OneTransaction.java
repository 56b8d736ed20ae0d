package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.PayloadTooLargeException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;

/**
 * Whether a batch's operations fit in ONE ZooKeeper {@code multi}. A server refuses (and drops the connection of) a
 * request over {@code jute.maxbuffer}, 1 MB by default; a batch is written in one transaction so that it is created
 * whole or not at all, so a batch that would not fit is refused before anything is written. The size is the one
 * ZooKeeper's own serializer gives the request, not an estimate.
 */
final class OneTransaction {

    /** Under ZooKeeper's default {@code jute.maxbuffer} (1 048 575 bytes), with room for the packet's headers. */
    static final int MAX_REQUEST_BYTES = 1_000_000;

    private OneTransaction() {
    }

    /** @throws PayloadTooLargeException (413) if the operations would not fit in one request */
    static void check(List<Op> ops) {
        long bytes = requestBytes(ops);
        if (bytes > MAX_REQUEST_BYTES) {
            throw new PayloadTooLargeException("the batch's " + ops.size() + " operations would take " + bytes
                    + " bytes in ZooKeeper, whose transactions hold at most " + MAX_REQUEST_BYTES
                    + ": split it into smaller batches. Nothing was created");
        }
    }

    static long requestBytes(List<Op> ops) {
        Counting counter = new Counting();
        try {
            new MultiOperationRecord(ops).serialize(BinaryOutputArchive.getArchive(counter), "request");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // counting bytes does no I/O
        }
        return counter.bytes;
    }

    private static final class Counting extends OutputStream {
        private long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
