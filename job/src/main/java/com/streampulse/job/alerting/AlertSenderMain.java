package com.streampulse.job.alerting;

import com.streampulse.config.ConfigException;
import com.streampulse.config.Settings;

/**
 * Runs the alert sender until the process is stopped: what the Helm chart's alert-sender Deployment
 * and {@code make run} start when ALERTMANAGER_URL is set.
 */
public final class AlertSenderMain {

    private AlertSenderMain() {}

    public static void main(String[] args) throws InterruptedException {
        AlertSenderConfig config;
        try {
            config = AlertSenderConfig.from(Settings.fromEnvironment(args));
        } catch (ConfigException e) {
            System.err.println("❌ Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.err.println(
                    "❌ Configuration error: set "
                            + AlertSenderConfig.URL_VARIABLE
                            + " to Alertmanager's address, for example http://alertmanager:9093");
            System.exit(2);
            return;
        }
        System.out.println(
                "Alert sender: outbox in "
                        + config.postgres().describe()
                        + ", delivering to "
                        + config.alertmanagerForLogs());
        AlertSender sender = new AlertSender(config);
        Runtime.getRuntime().addShutdownHook(new Thread(sender::stop));
        sender.start();
        Thread.currentThread().join();
    }
}
