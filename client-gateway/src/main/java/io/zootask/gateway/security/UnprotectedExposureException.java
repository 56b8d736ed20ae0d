package io.zootask.gateway.security;

/** The gateway would serve a non-loopback address with no API key and without being told that is intended. */
public class UnprotectedExposureException extends InvalidSecurityConfigurationException {

    public UnprotectedExposureException(String address) {
        super("the gateway is bound to " + address + ", which is not a loopback address, and no API key is"
                + " configured: anyone who can reach it could run commands on the workers");
    }
}
