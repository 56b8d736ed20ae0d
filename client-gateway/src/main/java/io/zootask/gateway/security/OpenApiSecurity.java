package io.zootask.gateway.security;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the bearer API key in the OpenAPI document, so that Swagger UI shows "Authorize", takes a key and sends it
 * with every "Try it out".
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "zootask gateway", version = "v1"),
        security = @SecurityRequirement(name = OpenApiSecurity.SCHEME))
@SecurityScheme(name = OpenApiSecurity.SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key, sent as 'Authorization: Bearer <key>'. Not needed when the gateway runs without"
                + " keys (bound to loopback, as bin/local-cluster does).")
class OpenApiSecurity {

    static final String SCHEME = "apiKey";
}
