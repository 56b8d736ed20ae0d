package io.zootask.gateway.errors;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The {@code /error} page, in place of Spring Boot's {@code BasicErrorController}: what the servlet container itself
 * refuses before any controller runs (an ambiguous path such as {@code /tasks/..} or {@code %2F}, a query or form it
 * cannot decode, a {@code sendError} from a filter) is answered as an RFC 7807 problem like every other rejection,
 * not as Boot's {@code {"timestamp","status","error","path"}} JSON. Boot's page also answered a direct request for
 * {@code /error} with a 500 ({@code "status":999}); here that is a 404 like any other unknown path.
 */
@Hidden
@RestController
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value ? HttpStatus.resolve(value) : HttpStatus.NOT_FOUND;
        if (status == null || !status.isError()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        if (status.is5xxServerError() && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof
                Throwable failure) {
            log.error("unexpected failure", failure);
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail(status));
        body.setTitle(status.getReasonPhrase());
        body.setType(URI.create("https://zootask.io/problems/" + status.getReasonPhrase().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")));
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        // the path only, stripped to harmless characters, as everywhere else
        body.setInstance(URI.create(String.valueOf(uri == null ? request.getRequestURI() : uri)
                .replaceAll("[^A-Za-z0-9/_.\\-]", "")));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }

    private static String detail(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "the request is malformed: its path, query string, headers or body cannot be read"
                    + " (for example an encoded '/' or '..' in the path, or a broken %-encoding); nothing was done";
            case NOT_FOUND -> "no such endpoint; the API is described at /swagger-ui.html";
            case METHOD_NOT_ALLOWED -> "this method is not allowed here; the API is described at /swagger-ui.html";
            case CONTENT_TOO_LARGE -> "the request body is too large; nothing was done";
            default -> status.is5xxServerError() ? "the gateway failed unexpectedly; the error is logged"
                    : status.getReasonPhrase();
        };
    }
}
