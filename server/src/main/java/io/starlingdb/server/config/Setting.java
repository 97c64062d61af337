package io.starlingdb.server.config;

import java.util.List;
import java.util.Locale;

/**
 * One node setting: its key in conf/starling.conf, the command-line flag and environment
 * variable that override it, its default, allowed range and meaning. Every setting of the
 * node is an instance here, so validation, documentation and usage text share one source.
 */
public record Setting(String key, Kind kind, String defaultValue, long min, long max, String description) {

    /** The value type of a setting. */
    public enum Kind { STRING, INT, LONG, BOOLEAN, PATH }

    /** The flag that overrides the setting, e.g. {@code client.port} -> {@code --client-port}. */
    public String flag() {
        return "--" + key.replace('.', '-');
    }

    /** The environment variable that overrides the setting, e.g. {@code STARLING_CLIENT_PORT}. */
    public String environmentVariable() {
        return "STARLING_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Checks a raw value and returns it parsed; the message names the setting and what is allowed. */
    Object parse(String raw, String source) {
        String value = raw.trim();
        switch (kind) {
            case STRING, PATH -> {
                if (value.isEmpty()) {
                    throw new ConfigException(key + " (from " + source + ") must not be empty");
                }
                return value;
            }
            case BOOLEAN -> {
                if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(value);
                }
                throw new ConfigException(key + " (from " + source + ") must be true or false, got '" + raw + "'");
            }
            default -> {
                long n;
                try {
                    n = parseSize(value);
                } catch (NumberFormatException e) {
                    throw new ConfigException(key + " (from " + source + ") must be a whole number"
                            + (kind == Kind.LONG ? " (suffixes k, m, g allowed)" : "") + ", got '" + raw + "'");
                }
                if (n < min || n > max) {
                    throw new ConfigException(key + " (from " + source + ") must be between " + min + " and " + max + ", got " + n);
                }
                return kind == Kind.INT ? (Object) (int) n : (Object) n;
            }
        }
    }

    private long parseSize(String value) {
        if (kind == Kind.LONG && !value.isEmpty()) {
            char unit = Character.toLowerCase(value.charAt(value.length() - 1));
            long factor = switch (unit) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                case 'g' -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            if (factor != 1) {
                return Math.multiplyExact(Long.parseLong(value.substring(0, value.length() - 1).trim()), factor);
            }
        }
        return Long.parseLong(value);
    }

    static Setting string(String key, String defaultValue, String description) {
        return new Setting(key, Kind.STRING, defaultValue, 0, 0, description);
    }

    static Setting path(String key, String defaultValue, String description) {
        return new Setting(key, Kind.PATH, defaultValue, 0, 0, description);
    }

    static Setting integer(String key, int defaultValue, int min, int max, String description) {
        return new Setting(key, Kind.INT, Integer.toString(defaultValue), min, max, description);
    }

    static Setting bytes(String key, long defaultValue, long min, long max, String description) {
        return new Setting(key, Kind.LONG, Long.toString(defaultValue), min, max, description);
    }

    static Setting bool(String key, boolean defaultValue, String description) {
        return new Setting(key, Kind.BOOLEAN, Boolean.toString(defaultValue), 0, 1, description);
    }

    /** A one-line summary for usage text and docs. */
    public String summary() {
        String range = switch (kind) {
            case INT, LONG -> " [" + min + ".." + max + "]";
            case BOOLEAN -> " [true|false]";
            default -> "";
        };
        return String.format(Locale.ROOT, "%-26s %-10s%s  %s", flag(), defaultValue.isEmpty() ? "(none)" : defaultValue, range, description);
    }

    static List<String> keys(List<Setting> settings) {
        return settings.stream().map(Setting::key).toList();
    }
}
