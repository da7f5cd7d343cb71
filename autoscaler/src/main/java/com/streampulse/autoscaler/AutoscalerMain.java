package com.streampulse.autoscaler;

/** Entry point of the controller's image: configuration from the environment, see Autoscaler. */
public final class AutoscalerMain {

    private AutoscalerMain() {}

    public static void main(String[] args) {
        Autoscaler.run();
    }
}
