package io.zootask.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static final String SECRET = "0123456789abcdef-secret";

    private static ApiKeys keys(GatewaySecurityProperties.Key... keys) {
        return new ApiKeys(new GatewaySecurityProperties(List.of(keys), false,
                new GatewaySecurityProperties.RateLimit(true, 10, 10)));
    }

    private static GatewaySecurityProperties.Key key(String id, String sha256, String key, Role... roles) {
        return new GatewaySecurityProperties.Key(id, sha256, key, Set.of(roles));
    }

    @Test
    void aKeyMatchesByItsHashOrItsPlainValue() {
        String hash = HexFormat.of().formatHex(ApiKeys.sha256(SECRET));
        ApiKeys byHash = keys(key("ci", hash.toUpperCase(), null, Role.SUBMIT));
        assertThat(byHash.match(SECRET)).hasValueSatisfying(k -> assertThat(k.caller())
                .isEqualTo(new Caller("ci", Set.of(Role.SUBMIT))));
        assertThat(byHash.match(hash)).isEmpty();
        assertThat(byHash.match(SECRET + "x")).isEmpty();

        ApiKeys plain = keys(key("ops", null, SECRET, Role.ADMIN, Role.READ));
        assertThat(plain.match(SECRET)).hasValueSatisfying(k -> assertThat(k.id()).isEqualTo("ops"));
    }

    @Test
    void unusableKeysAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> keys(key("a b", null, SECRET, Role.READ))).hasMessageContaining(".id must be");
        assertThatThrownBy(() -> keys(key("ci", null, SECRET, Role.READ), key("ci", null, SECRET + "2", Role.READ)))
                .hasMessageContaining("used twice");
        assertThatThrownBy(() -> keys(key("ci", "ab", SECRET, Role.READ))).hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> keys(key("ci", null, "short", Role.READ))).hasMessageContaining("shorter than 16")
                .hasMessageNotContaining("short,").hasMessageNotContaining("'short'");
        assertThatThrownBy(() -> keys(key("ci", null, SECRET))).hasMessageContaining("roles");
        assertThat(key("ci", null, SECRET, Role.READ).toString()).doesNotContain(SECRET);
    }

    @Test
    void anOpenCallerMayDoEverythingAndASubmitterSeesItsOwn() {
        assertThat(Caller.open().readsAllTasks()).isTrue();
        assertThat(Caller.open().keyId()).isNull();
        Caller ci = new Caller("ci", Set.of(Role.SUBMIT));
        assertThat(ci.maySee("ci")).isTrue();
        assertThat(ci.maySee("other")).isFalse();
        assertThat(ci.maySee(null)).isFalse();
        assertThat(new Caller("dash", Set.of(Role.READ)).maySee(null)).isTrue();
    }

    @Test
    void loopbackIsRecognised() {
        assertThat(ExposureGuard.isLoopback("127.0.0.1")).isTrue();
        assertThat(ExposureGuard.isLoopback("::1")).isTrue();
        assertThat(ExposureGuard.isLoopback("localhost")).isTrue();
        assertThat(ExposureGuard.isLoopback("0.0.0.0")).isFalse();
        assertThat(ExposureGuard.isLoopback(null)).isFalse();
        assertThat(ExposureGuard.isLoopback("")).isFalse();
    }
}
