package io.zootask.gateway.web;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests Jetty refuses before they reach the application (a request line or header it cannot parse, an illegal
 * character, a URI or headers too long: 400, 414, 431) are answered by Jetty's server-wide error handler, which
 * writes an HTML page (or nothing at all for methods other than GET, POST and HEAD). Here it writes the same RFC 7807
 * {@code application/problem+json} as every other rejection of the gateway, whatever the method or the
 * {@code Accept} header, and never a class name: Jetty's fallback message for an exception is its
 * {@code toString()}.
 */
@Configuration(proxyBeanMethods = false)
class ContainerErrors {

    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> problemErrorHandler() {
        return factory -> factory.addServerCustomizers(server -> server.setErrorHandler(new ProblemErrorHandler()));
    }

    static final class ProblemErrorHandler extends ErrorHandler {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object message = request.getAttribute(ERROR_MESSAGE);
            if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException failure) {
                status = failure.getCode();
                if (message == null) {
                    message = failure.getReason();
                }
            }
            if (status < 400 || status > 599) {
                status = HttpStatus.INTERNAL_SERVER_ERROR_500;
            }
            response.setStatus(status);
            response.getHeaders().put(ERROR_CACHE_CONTROL);
            String title = HttpStatus.getMessage(status);
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "https://zootask.io/problems/"
                    + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));
            problem.put("title", title);
            problem.put("status", status);
            problem.put("detail", detail(status, title, message));
            byte[] body = JSON.writeValueAsBytes(problem);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }

        private static String detail(int status, String title, Object message) {
            String what = switch (status) {
                case 400 -> "the request is malformed and was not read";
                case 414 -> "the request URI is too long";
                case 431 -> "the request headers are too large";
                default -> status >= 500 ? "the gateway could not handle the request" : "the request was refused";
            };
            // Jetty's own reasons ("Illegal character CNTL=0x0", "Ambiguous URI path separator") say what is wrong;
            // anything else it might carry (an exception's toString, with dots in its class name) is not shown
            String reason = message == null ? "" : message.toString();
            return reason.matches("[A-Za-z0-9 ,:'=_()-]{1,100}") && !reason.equalsIgnoreCase(title)
                    ? what + " (" + reason + "); nothing was done" : what + "; nothing was done";
        }
    }
}
