package com.streampulse.autoscaler.sim;

/** A scaling rule under test: called every second, returns the parallelism it wants now. */
interface Scaler {

    String name();

    int tick(int t, JobModel job);
}
