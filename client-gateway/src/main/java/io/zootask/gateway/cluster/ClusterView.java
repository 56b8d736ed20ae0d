package io.zootask.gateway.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.protocol.MasterInfo;
import java.util.List;
import java.util.Map;

/** What {@code GET /cluster} shows: who leads, who stands by, every worker's load, and the queue. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterView(MasterInfo master, List<Master> masters, List<Worker> workers, int queueDepth,
                          String zookeeper) {

    public record Master(String id, String role) {
    }

    /**
     * @param labels   what tasks may require of it
     * @param reserved present (true) only for a worker that takes only tasks requiring one of its labels
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Worker(String id, String host, Long pid, int slots, int assigned, List<String> running,
                         String version, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels,
                         Boolean reserved) {
    }
}
