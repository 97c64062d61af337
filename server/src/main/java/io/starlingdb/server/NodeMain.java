package io.starlingdb.server;

import io.starlingdb.server.config.ConfigException;
import io.starlingdb.server.config.NodeConfig;
import io.starlingdb.server.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code starling start [--conf FILE] [--preset NAME] [--SETTING VALUE ...]}: runs one node in
 * the foreground until SIGTERM or SIGINT, then shuts it down gracefully. Exit codes: 0 after a
 * clean stop, 1 when the node fails, 2 for bad configuration.
 */
public final class NodeMain {

    private NodeMain() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("start")) {
            System.err.println(usage());
            System.exit(2);
        }
        NodeConfig config;
        try {
            config = parse(args);
        } catch (ConfigException e) {
            System.err.println("starling start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.println(usage());
            return;
        }
        StarlingNode node = new StarlingNode(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "starling-shutdown"));
        try {
            node.start();
        } catch (Exception e) {
            System.err.println("starling start: node failed to start: " + e.getMessage());
            System.exit(1);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The configuration the arguments describe, or null when they ask for help. */
    static NodeConfig parse(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path conf = null;
        String preset = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new ConfigException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--conf" -> {
                    conf = Path.of(value);
                    if (!Files.isReadable(conf)) {
                        throw new ConfigException("--conf: cannot read " + conf);
                    }
                }
                case "--preset" -> preset = value;
                default -> flags.put(settingFor(arg).key(), value);
            }
        }
        return NodeConfig.load(flags, System.getenv(), conf, preset);
    }

    private static Setting settingFor(String flag) {
        for (Setting setting : NodeConfig.SETTINGS) {
            if (setting.flag().equals(flag)) {
                return setting;
            }
        }
        throw new ConfigException("unknown option " + flag + " (see starling start --help)");
    }

    static String usage() {
        StringBuilder out = new StringBuilder("""
                usage: starling start [--conf FILE] [--preset development|testing|production] [--SETTING VALUE ...]

                Runs a Starling node in the foreground; SIGTERM or Ctrl-C stops it gracefully.
                Each setting may also come from the environment (STARLING_<SETTING>) or the --conf file.
                Settings (flag, default, range, meaning):
                """);
        for (Setting setting : NodeConfig.SETTINGS) {
            out.append("  ").append(setting.summary()).append('\n');
        }
        return out.toString();
    }
}
