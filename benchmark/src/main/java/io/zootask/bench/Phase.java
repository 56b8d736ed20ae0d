package io.zootask.bench;

/** One step of a run: it measures one thing on the cluster and puts what it measured into the figures. */
interface Phase {

    /** What the run log calls it. */
    String title();

    void run(Figures figures) throws Exception;
}
