package io.zootask.protocol;

/** Data in a znode that zootask cannot understand; the message says why, in words a user can act on. */
public class MalformedDataException extends RuntimeException {

    public MalformedDataException(String message) {
        super(message);
    }

    public MalformedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
