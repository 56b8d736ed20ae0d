package io.zootask.gateway.errors;

/** The request body is over {@code zootask.gateway.max-body-size}, or too large to store. Answers 413. */
public class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limit) {
        super("request body is larger than the limit of " + limit + " bytes");
    }

    public PayloadTooLargeException(String message) {
        super(message);
    }
}
