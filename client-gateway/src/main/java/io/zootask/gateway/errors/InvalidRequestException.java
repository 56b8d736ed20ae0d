package io.zootask.gateway.errors;

/** The client sent something zootask will not accept; the message says what and how to fix it. Answers 400. */
public class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
