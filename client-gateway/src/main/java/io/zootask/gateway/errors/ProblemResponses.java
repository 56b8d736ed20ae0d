package io.zootask.gateway.errors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an RFC 7807 problem from a servlet filter, where Spring MVC's {@code ProblemHandler} cannot reach: the same
 * shape ({@code type}, {@code title}, {@code status}, {@code detail}, {@code instance}) as every other error of the
 * gateway, and nothing else.
 */
public final class ProblemResponses {

    private static final String TYPE_BASE = "https://zootask.io/problems/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, int status, String type, String title,
                      String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE_BASE + type);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        // the path only, stripped to harmless characters: never echo a query string or header back
        problem.put("instance", request.getRequestURI().replaceAll("[^A-Za-z0-9/_.\\-]", ""));
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }

    /** {@code GET /tasks}: the method and path a rejection talks about, without the query string. */
    public static String describe(HttpServletRequest request) {
        return request.getMethod() + " " + request.getRequestURI().replaceAll("[^A-Za-z0-9/_.\\-]", "");
    }
}
