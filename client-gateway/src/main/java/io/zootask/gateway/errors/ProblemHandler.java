package io.zootask.gateway.errors;

import io.zootask.gateway.GatewayProperties;
import java.net.URI;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
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
class ProblemHandler extends ResponseEntityExceptionHandler {

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

    @ExceptionHandler(TaskFinishedException.class)
    ResponseEntity<ProblemDetail> finished(TaskFinishedException e) {
        return problem(HttpStatus.CONFLICT, "task-finished", "Task already finished", e.getMessage());
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

    /**
     * Spring Security's firewall checks parameter names and values, and header values, only when they are first
     * read, which may be inside a controller ({@code ?%00=x} reached Swagger UI's redirect this way): a 400, not a 500.
     * Its message is not shown: it may quote a header value, and so a key.
     */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(RequestRejectedException e) {
        return problem(HttpStatus.BAD_REQUEST, "rejected-request", "Request rejected", "the request was refused:"
                + " a parameter name or value, or a header value, holds a character that is not accepted (a control"
                + " character, for example); nothing was done");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        // Jetty decodes the query string (and a form body) only when the application first asks for a parameter,
        // so a broken %-encoding surfaces here, as Jetty's own 400 (HttpException "Bad query"): the client's fault,
        // not the gateway's, and no reason for a 500
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException refused && refused.getCode() >= 400 && refused.getCode() < 500) {
                HttpStatus status = HttpStatus.resolve(refused.getCode());
                if (status == null || status == HttpStatus.BAD_REQUEST) {
                    return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", "the query"
                            + " string or form cannot be decoded (a '%' must be followed by two hex digits of UTF-8);"
                            + " nothing was done");
                }
                return problem(status, "malformed-request", status.getReasonPhrase(), "the request was refused ("
                        + status.getReasonPhrase() + "); nothing was done");
            }
        }
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
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                        .body(tooLarge(tooLarge).getBody());
            }
            if (cause instanceof InvalidRequestException invalid) { // a value of the wrong type, named by its reader
                return ResponseEntity.badRequest().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                        .body(invalid(invalid).getBody());
            }
            cause = cause.getCause();
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the request body is not valid: expected JSON like {\"command\":[\"echo\",\"hello\"]}"
                        + " or a text/plain command line");
        body.setTitle("Malformed request body");
        body.setType(URI.create(TYPE_BASE + "malformed-body"));
        return ResponseEntity.badRequest().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(body);
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
        return ResponseEntity.badRequest().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail).getBody());
    }

    /**
     * Spring MVC's own rejections (405, 406, 415, a missing header...) are problems too, always labelled
     * {@code application/problem+json}: left to content negotiation, a request whose {@code Accept} header is
     * unparsable or names only other types got the status with an empty body.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
                                                          WebRequest request) {
        HttpHeaders labelled = HttpHeaders.copyOf(headers);
        if (body instanceof ProblemDetail) {
            labelled.setContentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
        }
        return new ResponseEntity<>(body, labelled, statusCode);
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
