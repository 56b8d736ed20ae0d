package io.zootask.gateway.security;

import io.zootask.gateway.errors.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;

/** 403: a valid key whose roles do not cover the request. Names the key (its id) and its roles, never the key. */
final class ProblemAccessDeniedHandler implements AccessDeniedHandler {

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        Authentication authentication = SecurityContextHolder.getContextHolderStrategy().getContext()
                .getAuthentication();
        String who = authentication != null && authentication.getPrincipal() instanceof Caller caller
                ? "the key '" + caller.getName() + "' (roles: " + caller.describeRoles() + ")"
                : "this key";
        ProblemResponses.write(request, response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "Forbidden",
                who + " may not " + ProblemResponses.describe(request) + "; submit may POST /tasks, read"
                        + " and cancel its own tasks, read may read all tasks, /cluster and the actuator, admin may do everything");
    }
}
