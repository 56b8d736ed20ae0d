package io.zootask.gateway.errors;

/** An Idempotency-Key that cannot be honoured: reused for another request (422) or still in flight (409). */
public class IdempotencyConflictException extends RuntimeException {

    private final int status;

    public IdempotencyConflictException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
