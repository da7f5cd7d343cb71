package com.streampulse.autoscaler;

/**
 * Entry point of the controller's image: configuration from the environment, flags on top (as the
 * job's), see Autoscaler.
 */
public final class AutoscalerMain {

    private AutoscalerMain() {}

    public static void main(String[] args) {
        Autoscaler.run(args);
    }
}
