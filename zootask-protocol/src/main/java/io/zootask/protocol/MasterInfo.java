package io.zootask.protocol;

import java.time.Instant;

/** The active master's identity, in the ephemeral {@code /master} znode for as long as it leads. */
public record MasterInfo(String id, String host, Long pid, Instant since) {
}
