package io.zootask.protocol;

import java.util.List;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/** Reading the outcome of a refused {@code multi}: which of its operations failed, and why. */
public final class Transactions {

    private Transactions() {
    }

    /**
     * The index of the operation that made the transaction fail, or -1 if the failure was not about an operation
     * (a lost connection, for instance). The operations after it report RUNTIMEINCONSISTENCY, the ones before OK.
     */
    public static int failedOp(KeeperException e) {
        List<OpResult> results = e.getResults();
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()
                    && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }
}
