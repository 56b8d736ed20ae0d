package io.zootask.localcluster;

import java.nio.file.Path;

/** Command-line options of {@code bin/local-cluster}. */
record Options(int masters, int workers, String zookeeper, int zookeeperPort, int gatewayPort, int basePort,
               Path root, boolean help, boolean zookeeperOnly, int serverId, String ensemble, String zookeeperAuth) {

    static final String USAGE = """
            usage: bin/local-cluster [--masters N] [--workers N] [--zookeeper HOST:PORT] [--gateway-port PORT]
              --masters N            master JVMs to start (default 2; one leads, the others stand by)
              --workers N            worker JVMs to start (default 2)
              --zookeeper HOST:PORT  use this ZooKeeper instead of starting an embedded one on 127.0.0.1:2181
              --zookeeper-port PORT  port of the embedded ZooKeeper (default 2181)
              --zookeeper-auth USER:PASSWORD  ZooKeeper's secured mode: the services authenticate with these digest
                                     credentials and their znodes are closed to anyone else (zkCli: addauth digest
                                     USER:PASSWORD). Without it: open mode, unless the environment has
                                     ZOOTASK_ZOOKEEPER_AUTH_USERNAME and ZOOTASK_ZOOKEEPER_AUTH_PASSWORD (which keep
                                     the password off the command line, where ps shows it)
              --gateway-port PORT    the REST gateway's port (default 8080)
              --base-port PORT       masters listen on BASE+101.., workers on BASE+201.. (default 8000)
              --zookeeper-only       run only the ZooKeeper server, in the foreground (for tests and soak runs)
              --server-id N --ensemble H:P:E:C,...  with --zookeeper-only: server N of a quorum, each member given as
                                     host:peerPort:electionPort:clientPort""";

    static Options parse(String[] args) {
        int masters = 2;
        int workers = 2;
        String zookeeper = null;
        int zookeeperPort = 2181;
        int gatewayPort = 8080;
        int basePort = 8000;
        Path root = Path.of("").toAbsolutePath();
        boolean help = false;
        boolean zookeeperOnly = false;
        int serverId = 0;
        String ensemble = null;
        String zookeeperAuth = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--masters" -> masters = positive(arg, value(args, ++i, arg));
                case "--workers" -> workers = positive(arg, value(args, ++i, arg));
                case "--zookeeper" -> zookeeper = value(args, ++i, arg);
                case "--zookeeper-port" -> zookeeperPort = positive(arg, value(args, ++i, arg));
                case "--gateway-port" -> gatewayPort = positive(arg, value(args, ++i, arg));
                case "--base-port" -> basePort = positive(arg, value(args, ++i, arg));
                case "--root" -> root = Path.of(value(args, ++i, arg)).toAbsolutePath();
                case "-h", "--help" -> help = true;
                case "--zookeeper-only" -> zookeeperOnly = true;
                case "--server-id" -> serverId = positive(arg, value(args, ++i, arg));
                case "--ensemble" -> ensemble = value(args, ++i, arg);
                case "--zookeeper-auth" -> zookeeperAuth = credentials(arg, value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        return new Options(masters, workers, zookeeper, zookeeperPort, gatewayPort, basePort, root, help,
                zookeeperOnly, serverId, ensemble, zookeeperAuth);
    }

    /** The user name of {@code --zookeeper-auth}, or {@code null}. */
    String zookeeperUser() {
        return zookeeperAuth == null ? null : zookeeperAuth.substring(0, zookeeperAuth.indexOf(':'));
    }

    /** The password of {@code --zookeeper-auth}, or {@code null}. */
    String zookeeperPassword() {
        return zookeeperAuth == null ? null : zookeeperAuth.substring(zookeeperAuth.indexOf(':') + 1);
    }

    /** As the record would print itself, but never the ZooKeeper password. */
    @Override
    public String toString() {
        return "Options[masters=" + masters + ", workers=" + workers + ", zookeeper=" + zookeeper
                + ", zookeeperPort=" + zookeeperPort + ", gatewayPort=" + gatewayPort + ", basePort=" + basePort
                + ", root=" + root + ", help=" + help + ", zookeeperOnly=" + zookeeperOnly + ", serverId=" + serverId
                + ", ensemble=" + ensemble + ", zookeeperAuth=" + (zookeeperAuth == null ? null
                : zookeeperUser() + ":****") + "]";
    }

    private static String credentials(String option, String value) {
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(option + " needs USER:PASSWORD");
        }
        return value;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'");
        }
    }
}
