package io.zootask.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The configured API keys, checked once at start, and the one place a presented key is compared with them.
 *
 * <p>Only SHA-256 digests are kept. A presented key is hashed and compared with every configured digest in constant
 * time ({@link MessageDigest#isEqual}), without stopping at the first match, so the time a comparison takes says
 * nothing about which bytes or which key were close. (API keys are long random strings, so a plain fast hash is the
 * right tool here; a slow password hash would only make every request slow.)
 */
@Component
class ApiKeys {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    static final int MIN_KEY_LENGTH = 16;

    private final List<ApiKey> keys;

    public ApiKeys(GatewaySecurityProperties properties) {
        this.keys = validated(properties.keys());
    }

    /** No keys: the gateway is open (allowed on loopback, or when declared open). */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public int size() {
        return keys.size();
    }

    /** The key this secret belongs to, if any. */
    Optional<ApiKey> match(String presented) {
        byte[] digest = sha256(presented);
        ApiKey found = null;
        for (ApiKey key : keys) {
            if (MessageDigest.isEqual(key.sha256(), digest) && found == null) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }

    private static List<ApiKey> validated(List<GatewaySecurityProperties.Key> configured) {
        List<ApiKey> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < configured.size(); i++) {
            GatewaySecurityProperties.Key key = configured.get(i);
            String where = "zootask.gateway.security.keys[" + i + "]";
            if (key.id() == null || !ID.matcher(key.id()).matches()) {
                throw new InvalidSecurityConfigurationException(where + ".id must be 1 to 64 letters, digits, '_', '.'"
                        + " or '-': it names the key in logs and in the tasks it submits");
            }
            if (!ids.add(key.id())) {
                throw new InvalidSecurityConfigurationException(where + ".id '" + key.id() + "' is used twice");
            }
            boolean hasHash = key.sha256() != null && !key.sha256().isBlank();
            boolean hasKey = key.key() != null && !key.key().isEmpty();
            if (hasHash == hasKey) {
                throw new InvalidSecurityConfigurationException(where + " (id '" + key.id() + "') needs exactly one"
                        + " of sha256 (the key's SHA-256 in hex: printf %s \"$KEY\" | sha256sum) or key");
            }
            byte[] digest;
            if (hasHash) {
                if (!SHA256_HEX.matcher(key.sha256().strip()).matches()) {
                    throw new InvalidSecurityConfigurationException(where + ".sha256 (id '" + key.id() + "') must be"
                            + " 64 hex digits, the output of: printf %s \"$KEY\" | sha256sum");
                }
                digest = HexFormat.of().parseHex(key.sha256().strip());
            } else {
                if (key.key().length() < MIN_KEY_LENGTH) {
                    throw new InvalidSecurityConfigurationException(where + ".key (id '" + key.id() + "') is shorter"
                            + " than " + MIN_KEY_LENGTH + " characters; use a long random one, e.g. openssl rand"
                            + " -hex 32");
                }
                digest = sha256(key.key());
            }
            if (key.roles() == null || key.roles().isEmpty()) {
                throw new InvalidSecurityConfigurationException(where + ".roles (id '" + key.id() + "') is empty;"
                        + " give one or more of submit, read, admin");
            }
            keys.add(new ApiKey(key.id(), digest, EnumSet.copyOf(key.roles())));
        }
        return List.copyOf(keys);
    }
}
