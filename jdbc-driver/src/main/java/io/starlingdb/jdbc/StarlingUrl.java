package io.starlingdb.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code jdbc:starling://host1:port1[,host2:port2...]/[?key=value&...]}: the hosts are tried in
 * order until one answers. Properties from the URL are merged under those given to connect().
 */
record StarlingUrl(List<HostPort> hosts, Properties properties) {

    static final String PREFIX = "jdbc:starling://";
    static final int DEFAULT_PORT = 7432;

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    static StarlingUrl parse(String url, Properties given) throws SQLException {
        if (!accepts(url)) {
            throw new SQLException("not a Starling URL (expected " + PREFIX + "host:port/): " + url, "08001");
        }
        String rest = url.substring(PREFIX.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        if (authority.isEmpty()) {
            throw new SQLException("the URL names no host: " + url, "08001");
        }
        List<HostPort> hosts = new ArrayList<>();
        for (String part : authority.split(",")) {
            hosts.add(hostPort(part.trim(), url));
        }
        Properties properties = new Properties();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq >= 0 ? pair.substring(0, eq) : pair, StandardCharsets.UTF_8);
            String value = eq >= 0 ? URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8) : "";
            properties.setProperty(key, value);
        }
        if (given != null) {
            for (String key : given.stringPropertyNames()) {
                properties.setProperty(key, given.getProperty(key));
            }
        }
        return new StarlingUrl(List.copyOf(hosts), properties);
    }

    private static HostPort hostPort(String part, String url) throws SQLException {
        if (part.isEmpty()) {
            throw new SQLException("empty host in URL: " + url, "08001");
        }
        int colon = part.lastIndexOf(':');
        if (colon < 0) {
            return new HostPort(part, DEFAULT_PORT);
        }
        String host = part.substring(0, colon);
        try {
            int port = Integer.parseInt(part.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(host, port);
        } catch (NumberFormatException e) {
            throw new SQLException("bad port in '" + part + "' of URL " + url + " (expected 1..65535)", "08001");
        }
    }

    boolean booleanProperty(String key, boolean defaultValue) throws SQLException {
        String raw = properties.getProperty(key);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SQLException("connection property " + key + " must be true or false, got '" + raw + "'", "08001");
        };
    }

    int intProperty(String key, int defaultValue, int min, int max) throws SQLException {
        String raw = properties.getProperty(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new SQLException("connection property " + key + " must be a number in " + min + ".." + max + ", got '" + raw + "'", "08001");
        }
    }
}
