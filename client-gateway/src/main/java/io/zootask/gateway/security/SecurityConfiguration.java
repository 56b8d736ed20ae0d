package io.zootask.gateway.security;

import io.zootask.gateway.errors.ProblemResponses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * Who may call what. The table is the whole policy (also in docs/security.md):
 *
 * <pre>
 * health, liveness, readiness (status only), Swagger UI, OpenAPI   anyone
 * the dashboard's static files (/, /app/**, /webjars/**)           anyone (it asks for a key to show data)
 * POST /tasks                                                      submit, admin
 * GET /tasks, GET /tasks/{id}, GET /tasks/{id}/events              submit (own tasks only), read, admin
 * GET /events                                                      submit (own tasks only), read, admin
 * DELETE /tasks/{id}                                               submit (own tasks only), admin
 * GET /cluster, /cluster/history, other actuator, health details  read, admin
 * anything else                                                    admin
 * </pre>
 *
 * An open gateway (no keys) gives every request all roles, so the same table lets everything through.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {

    private static final String SUBMIT = Role.SUBMIT.name();
    private static final String READ = Role.READ.name();
    private static final String ADMIN = Role.ADMIN.name();
    static final String DASHBOARD_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none';"
            + " frame-ancestors 'none'; form-action 'self'";

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeys keys, KeyRateLimiter limiter) throws Exception {
        AuthenticationEntryPoint unauthorized = new ProblemAuthenticationEntryPoint();
        ApiKeyAuthenticationFilter authentication = new ApiKeyAuthenticationFilter(keys, unauthorized);
        http
                // a bearer key is sent deliberately by the client, never by a browser on its own: no CSRF to forge
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                // the dashboard runs only its own files (no inline script or style, task text written as text):
                // a policy that forbids anything else turns a slip in that rule into a blocked script, not an attack
                .headers(headers -> headers.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher("/"),
                                PathPatternRequestMatcher.withDefaults().matcher("/index.html")),
                        new ContentSecurityPolicyHeaderWriter(DASHBOARD_POLICY))))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(new ProblemAccessDeniedHandler()))
                .addFilterBefore(authentication, AnonymousAuthenticationFilter.class)
                .addFilterAfter(new RateLimitFilter(limiter), ApiKeyAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        // the second dispatch of a long-poll, and error rendering: the request was checked already
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        // probes carry no key; without one they answer the status only (show-details)
                        .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/liveness",
                                "/actuator/health/readiness").permitAll()
                        // the docs are not secret, and Swagger UI must load before a key can be entered in it
                        .requestMatchers(HttpMethod.GET, "/swagger-ui.html", "/swagger-ui/**", "/v3/api-docs",
                                "/v3/api-docs/**").permitAll()
                        // the dashboard's page, scripts and styles hold no data: every figure on it comes from the
                        // API below, with the key the page asks for
                        .requestMatchers(HttpMethod.GET, "/", "/index.html", "/favicon.ico", "/app/**",
                                "/webjars/**").permitAll()
                        .requestMatchers("/actuator/**").hasAnyRole(READ, ADMIN)
                        .requestMatchers(HttpMethod.POST, "/tasks").hasAnyRole(SUBMIT, ADMIN)
                        .requestMatchers(HttpMethod.GET, "/tasks", "/tasks/*", "/tasks/*/events", "/events")
                        .hasAnyRole(SUBMIT, READ, ADMIN)
                        // a submit key only its own tasks: another key's answers 404, as for GET
                        .requestMatchers(HttpMethod.DELETE, "/tasks/*").hasAnyRole(SUBMIT, ADMIN)
                        .requestMatchers(HttpMethod.GET, "/cluster", "/cluster/history").hasAnyRole(READ, ADMIN)
                        .anyRequest().hasRole(ADMIN));
        return http.build();
    }

    /**
     * No Spring Security observations: they wrap every filter of the chain, on every request, in an observation of its
     * own (a fifth of the gateway's CPU under load, for spans nobody collects). HTTP request metrics
     * ({@code http.server.requests}) stay.
     */
    @Bean
    static SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * The firewall in front of the filter chain ({@code StrictHttpFirewall}) refuses paths with an encoded or doubled
     * slash, {@code ..}, {@code ;}, a backslash or a control character, header values it cannot trust, and unknown
     * methods. Its default answer is a bare {@code sendError(400)}; this one is the gateway's problem JSON. The detail
     * does not quote the firewall's reason: that may hold a header value, and so a key.
     */
    @Bean
    RequestRejectedHandler problemOnRejectedRequest() {
        return (request, response, rejected) -> ProblemResponses.write(request, response,
                HttpServletResponse.SC_BAD_REQUEST, "rejected-request", "Request rejected", "the request was"
                        + " refused before it was read: its method, its path (an encoded or doubled '/', '..', ';',"
                        + " '\\' or a control character) or a header value is not accepted; nothing was done");
    }
}
