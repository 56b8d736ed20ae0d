package io.zootask.gateway.errors;

/** The request body is over {@code zootask.gateway.max-body-size}. Answers 413. */
class PayloadTooLargeException extends RuntimeException {

    public PayloadTooLargeException(long limit) {
        super("request body is larger than the limit of " + limit + " bytes");
    }
}
