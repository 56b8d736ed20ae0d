package io.zootask.master.cluster;

/**
 * One term of leadership as the active master's parts see it: whether they may write now, and how to end the term
 * when ZooKeeper says it is over (our election node is gone).
 */
public interface Term {

    /** Whether writes may be attempted now: leading, connected, not ended. The fence decides in the end. */
    boolean writable();

    /** Ends the term for good: nothing more is written in it. */
    void end(String why);
}
