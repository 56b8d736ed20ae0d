package io.zootask.gateway.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.protocol.MasterInfo;
import java.util.List;

/** What {@code GET /cluster} shows: who leads, who stands by, every worker's load, and the queue. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ClusterView(MasterInfo master, List<Master> masters, List<Worker> workers, int queueDepth,
                          String zookeeper) {

    public record Master(String id, String role) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Worker(String id, String host, Long pid, int slots, int assigned, List<String> running,
                         String version) {
    }
}
