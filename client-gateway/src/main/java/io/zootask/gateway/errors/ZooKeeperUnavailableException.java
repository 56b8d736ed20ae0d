package io.zootask.gateway.errors;

/** ZooKeeper cannot be reached right now; nothing was written. Answers 503 with Retry-After. */
public class ZooKeeperUnavailableException extends RuntimeException {

    public ZooKeeperUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
