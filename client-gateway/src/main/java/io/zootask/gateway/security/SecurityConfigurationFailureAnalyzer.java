package io.zootask.gateway.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused start into Spring Boot's "Description / Action" report instead of a stack trace to dig through. */
class SecurityConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSecurityConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSecurityConfigurationException cause) {
        String action = cause instanceof UnprotectedExposureException
                ? "Configure an API key (zootask.gateway.security.keys[0].id / .sha256 / .roles, or the environment"
                + " variables ZOOTASK_GATEWAY_SECURITY_KEYS_0_ID, _SHA256, _ROLES), or bind to 127.0.0.1"
                + " (server.address), or, if something in front of the gateway already controls who reaches it,"
                + " set zootask.gateway.security.open=true. See docs/security.md."
                : "Fix the setting named above. See docs/security.md.";
        return new FailureAnalysis(cause.getMessage(), action, cause);
    }
}
