package io.starlingdb.engine.encoding;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.Random;

/** Random column values of every type, edge cases included, and their SQL order. */
final class RandomValues {

    private static final double[] specialDoubles = {
        0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.MIN_NORMAL, 1.0, -1.0, Double.longBitsToDouble(0x7ff0000000000001L),
        Double.longBitsToDouble(0xfff8000000000123L)};
    private static final String[] specialDecimals = {
        "0", "0.000", "-0.0", "1", "1.0", "1.00", "-1", "10", "100", "1E+5", "0.1", "0.01", "-0.01",
        "9.99", "10.01", "99999999999999999999999999.999", "-99999999999999999999999999.999",
        "1E-40", "-1E-40", "123", "1230", "12.3", "0.123", "1234", "12345"};
    private static final int[] specialInts = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE};
    private static final long[] specialLongs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE};
    private static final String alphabet = "\u0000\u0001a\u007fb\u00ff\u0100\uE000\uFFFF";

    private RandomValues() {
    }

    /** A random value of type, null with probability nullChance. */
    static Object value(Random r, ValueType type, double nullChance) {
        if (r.nextDouble() < nullChance) {
            return null;
        }
        boolean special = r.nextInt(8) == 0;
        return switch (type) {
            case BOOLEAN -> r.nextBoolean();
            case INTEGER, DATE -> special ? specialInts[r.nextInt(specialInts.length)] : r.nextInt() >> r.nextInt(32);
            case BIGINT, TIMESTAMP -> special ? specialLongs[r.nextInt(specialLongs.length)] : r.nextLong() >> r.nextInt(64);
            case DOUBLE -> switch (r.nextInt(4)) {
                case 0 -> specialDoubles[r.nextInt(specialDoubles.length)];
                case 1 -> Double.longBitsToDouble(r.nextLong());
                case 2 -> (double) (r.nextInt(21) - 10);
                default -> r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
            };
            case DECIMAL -> special ? new BigDecimal(specialDecimals[r.nextInt(specialDecimals.length)])
                    : new BigDecimal(new BigInteger(r.nextInt(120) + 1, r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)),
                            r.nextInt(61) - 30);
            case VARCHAR -> string(r);
        };
    }

    private static String string(Random r) {
        int n = r.nextInt(8);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(10)) {
                case 0 -> sb.appendCodePoint(0x10000 + r.nextInt(0x100000)); // supplementary, a surrogate pair in Java
                case 1 -> sb.append((char) r.nextInt(0xD800));
                default -> sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        return sb.toString();
    }

    /** SQL order of non-null values of one type. */
    @SuppressWarnings("unchecked")
    static int compareValues(ValueType type, Object a, Object b) {
        return switch (type) {
            case DOUBLE -> Double.compare(canonical((Double) a), canonical((Double) b));
            case VARCHAR -> compareCodePoints((String) a, (String) b);
            default -> ((Comparable<Object>) a).compareTo(b);
        };
    }

    /** SQL order including NULL (first ascending, last descending) and direction. */
    static int compare(ValueType type, boolean descending, Object a, Object b) {
        int c;
        if (a == null || b == null) {
            c = a == null ? (b == null ? 0 : -1) : 1;
        } else {
            c = compareValues(type, a, b);
        }
        return descending ? -c : c;
    }

    static Comparator<Object> comparator(ValueType type, boolean descending) {
        return (a, b) -> compare(type, descending, a, b);
    }

    private static double canonical(double d) {
        return d == 0.0 ? 0.0 : d;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
