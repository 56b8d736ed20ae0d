package io.zootask.gateway.errors;

import io.zootask.gateway.GatewayProperties;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place that turns failures into RFC 7807 {@code application/problem+json}: a title, a status and a
 * {@code detail} a user can act on; never a stack trace or an internal class name.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final String TYPE_BASE = "https://zootask.io/problems/";

    private final GatewayProperties properties;

    public ProblemHandler(GatewayProperties properties) {
        this.properties = properties;
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", e.getMessage());
    }

    @ExceptionHandler(TaskNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(TaskNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "task-not-found", "Task not found", e.getMessage());
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<ProblemDetail> tooLarge(PayloadTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large", e.getMessage());
    }

    @ExceptionHandler(ZooKeeperUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(ZooKeeperUnavailableException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.SERVICE_UNAVAILABLE, "coordination-unavailable",
                "ZooKeeper unavailable", e.getMessage() + "; nothing was written, retry later");
        return ResponseEntity.status(response.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, properties.retryAfter().toSeconds())))
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(response.getBody());
    }

    @ExceptionHandler(IdempotencyConflictException.class)
    ResponseEntity<ProblemDetail> idempotency(IdempotencyConflictException e) {
        HttpStatus status = HttpStatus.valueOf(e.status());
        return problem(status, status == HttpStatus.CONFLICT ? "idempotency-in-progress" : "idempotency-key-reused",
                status == HttpStatus.CONFLICT ? "Request in progress" : "Idempotency-Key reused", e.getMessage());
    }

    @ExceptionHandler(QueueFullException.class)
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.TOO_MANY_REQUESTS, "queue-full", "Queue full",
                e.getMessage());
        return ResponseEntity.status(response.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, properties.retryAfter().toSeconds())))
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(response.getBody());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "the gateway failed unexpectedly; the error is logged");
    }

    /** Malformed JSON and the like: say what is wrong without echoing parser internals or class names. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        Throwable cause = ex;
        while (cause != null) {
            if (cause instanceof PayloadTooLargeException tooLarge) {
                return new ResponseEntity<>(tooLarge(tooLarge).getBody(), HttpStatus.CONTENT_TOO_LARGE);
            }
            cause = cause.getCause();
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the request body is not valid: expected JSON like {\"command\":[\"echo\",\"hello\"]}"
                        + " or a text/plain command line");
        body.setTitle("Malformed request body");
        body.setType(URI.create(TYPE_BASE + "malformed-body"));
        return new ResponseEntity<>(body, HttpStatus.BAD_REQUEST);
    }

    /**
     * A query parameter of the wrong type ({@code ?waitSeconds=abc}, a number too large for an int): name the
     * parameter and what it takes, without echoing the value or the Java type.
     */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String name = ex instanceof MethodArgumentTypeMismatchException mismatch ? mismatch.getName()
                : ex.getPropertyName();
        Class<?> type = ex.getRequiredType();
        boolean whole = type == Integer.class || type == int.class || type == Long.class || type == long.class;
        String what = whole ? "a whole number" : "of the documented form";
        String detail = name == null ? "a parameter has the wrong form" : name + " must be " + what
                + (name.equals("waitSeconds") ? " from 0 to " + properties.maxWait().toSeconds() : "");
        return new ResponseEntity<>(problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail)
                .getBody(), HttpStatus.BAD_REQUEST);
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String title,
                                                         String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(title);
        body.setType(URI.create(TYPE_BASE + type));
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(body);
    }
}
