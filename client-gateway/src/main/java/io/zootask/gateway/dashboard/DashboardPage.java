package io.zootask.gateway.dashboard;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /}: the dashboard's page, whatever the request's {@code Accept} says. Spring Boot's welcome page answers
 * only a request that accepts HTML; any other (a client asking for JSON at the root) got an empty 406 instead of the
 * page or a problem.
 */
@Controller
@Hidden
class DashboardPage {

    private static final Resource PAGE = new ClassPathResource("static/index.html");

    @GetMapping("/")
    ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(PAGE);
    }
}
