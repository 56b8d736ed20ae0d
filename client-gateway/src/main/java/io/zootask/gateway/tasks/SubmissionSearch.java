package io.zootask.gateway.tasks;

import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;

/**
 * Finds the task that carries a submission token, wherever it has moved by now: the rare path after a lost reply
 * left the outcome of a create unknown. Creating the task again when it exists makes a duplicate, so "not found"
 * must be certain.
 *
 * <p>Why nothing is missed. A task's id never changes and, every move being one transaction, it is always in exactly
 * one of {@code /tasks/<id>}, {@code /assign/<w>/<id>}, {@code /status/<id>}. It moves {@code /tasks -> /assign}, back
 * to {@code /tasks} on re-queue, and on to {@code /status}, which it leaves only when retention prunes it (much
 * later). Reading those places one after the other could miss it (read {@code /tasks}, then it moves there from an
 * {@code /assign/<w>} not read yet), so:
 * <ol>
 * <li>{@code /tasks}, {@code /assign} and every {@code /assign/<w>} are listed in ONE multi-read, which the server
 * answers from one state of its tree (it applies no write while it serves a request); the listing of
 * {@code /assign} in it proves that no worker's parent was left out, else the read is repeated with the new ones.
 * If the task is not in that snapshot, it was in {@code /status} at that moment, and so it still is when
 * {@code /status} is listed next.</li>
 * <li>The token of each candidate (ids newer than the caller's floor) is read wherever the snapshot saw it. The token
 * belongs to the id, not to the place, so a candidate whose token was read once is settled for good. A candidate that
 * moved before its read ({@code NoNode}) leaves the answer open: the whole look is repeated, with a fresh snapshot,
 * until every candidate of one look is settled. Only then is "not found" an answer.</li>
 * </ol>
 */
final class SubmissionSearch {

    /** Looks until every candidate is settled; each repetition needs a task to move between two of our reads. */
    private static final int LOOKS = 20;

    private final ZooKeeper zk;

    SubmissionSearch(ZooKeeper zk) {
        this.zk = zk;
    }

    /**
     * @param floor the newest task id known to predate the create, or {@code null}: only newer ids are candidates
     * @return the id of the task carrying {@code submission}, or empty if there is none
     * @throws IllegalStateException if candidates kept moving through {@link #LOOKS} looks
     */
    Optional<String> find(String submission, String floor) throws KeeperException, InterruptedException {
        return Optional.ofNullable(findAll(Set.of(submission), floor).get(submission));
    }

    /**
     * The tasks carrying any of {@code submissions} (a batch's), as token to id; a token without a task is absent.
     * Returns as soon as every token is found.
     */
    Map<String, String> findAll(Set<String> submissions, String floor) throws KeeperException, InterruptedException {
        Map<String, String> found = new HashMap<>();
        Set<String> settled = new HashSet<>();
        for (int look = 0; look < LOOKS; look++) {
            boolean open = false;
            for (Map.Entry<String, String> candidate : candidates(floor).entrySet()) {
                String id = candidate.getKey();
                if (settled.contains(id)) {
                    continue;
                }
                Optional<String> token;
                try {
                    token = tokenAt(candidate.getValue());
                } catch (KeeperException.NoNodeException moved) {
                    open = true;
                    continue;
                }
                settled.add(id);
                if (token.isPresent() && submissions.contains(token.get())) {
                    found.put(token.get(), id);
                    if (found.size() == submissions.size()) {
                        return found;
                    }
                }
            }
            if (!open) {
                return found;
            }
        }
        throw new IllegalStateException("tasks kept moving while looking for the submission");
    }

    /** Every task id newer than {@code floor}, and where it was seen. */
    private Map<String, String> candidates(String floor) throws KeeperException, InterruptedException {
        Map<String, String> where = new LinkedHashMap<>();
        queuedAndAssigned().forEach((parent, children) -> addNewer(where, parent, children, floor));
        addNewer(where, ZNodes.STATUS, childrenOrNone(ZNodes.STATUS), floor);
        return where;
    }

    /** {@code /tasks} and every {@code /assign/<w>} as they stood at one moment: parent path to child names. */
    private Map<String, List<String>> queuedAndAssigned() throws KeeperException, InterruptedException {
        List<String> workers = validNames(childrenOrNone(ZNodes.ASSIGN));
        for (int read = 0; read < LOOKS; read++) {
            List<Op> reads = new ArrayList<>();
            reads.add(Op.getChildren(ZNodes.ASSIGN));
            reads.add(Op.getChildren(ZNodes.TASKS));
            for (String worker : workers) {
                reads.add(Op.getChildren(ZNodes.assignments(worker)));
            }
            List<OpResult> results = zk.multi(reads);
            List<String> workersThen = validNames(childrenOf(results.get(0)));
            if (!new HashSet<>(workersThen).equals(new HashSet<>(workers))) {
                workers = workersThen; // a worker's parent came or went meanwhile: read again, with it
                continue;
            }
            Map<String, List<String>> snapshot = new LinkedHashMap<>();
            snapshot.put(ZNodes.TASKS, childrenOf(results.get(1)));
            for (int i = 0; i < workers.size(); i++) {
                snapshot.put(ZNodes.assignments(workers.get(i)), childrenOf(results.get(i + 2)));
            }
            return snapshot;
        }
        throw new IllegalStateException("workers kept coming and going while looking for the submission");
    }

    private static List<String> childrenOf(OpResult result) throws KeeperException {
        if (result instanceof OpResult.GetChildrenResult children) {
            return children.getChildren();
        }
        int code = ((OpResult.ErrorResult) result).getErr();
        if (code == KeeperException.Code.NONODE.intValue()) {
            return List.of(); // a root nobody created yet
        }
        throw KeeperException.create(KeeperException.Code.get(code));
    }

    private static List<String> validNames(List<String> names) {
        return names.stream().filter(ZNodes::isValidName).toList();
    }

    private static void addNewer(Map<String, String> where, String parent, List<String> children, String floor) {
        for (String child : children) {
            // only names our sequential create can have made; TASK_ORDER knows how ZooKeeper's sequence numbers run
            if (ZNodes.isValidName(child) && child.startsWith(ZNodes.TASK_PREFIX)
                    && (floor == null || ZNodes.TASK_ORDER.compare(child, floor) > 0)) {
                where.put(child, ZNodes.childOf(parent, child));
            }
        }
    }

    private Optional<String> tokenAt(String path) throws KeeperException, InterruptedException {
        byte[] data = zk.getData(path, false, null);
        try {
            return Optional.ofNullable(path.startsWith(ZNodes.STATUS + "/")
                    ? ProtocolCodec.decodeStatus(data).submission()
                    : ProtocolCodec.decodeTask(data).submission());
        } catch (MalformedDataException notOurs) {
            return Optional.empty();
        }
    }

    private List<String> childrenOrNone(String parent) throws KeeperException, InterruptedException {
        try {
            return zk.getChildren(parent, false);
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        }
    }
}
