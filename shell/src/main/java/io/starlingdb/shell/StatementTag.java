package io.starlingdb.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The line printed for a statement that returns no rows, as psql does: {@code INSERT 3},
 * {@code UPDATE 2}, {@code CREATE TABLE}, {@code DROP INDEX}.
 */
final class StatementTag {

    private static final Set<String> COUNTING_VERBS = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT");
    private static final Set<String> DDL_VERBS = Set.of("CREATE", "DROP", "ALTER");
    /** Words between a DDL verb and the kind of object: CREATE UNIQUE INDEX, CREATE OR REPLACE VIEW. */
    private static final Set<String> DDL_MODIFIERS = Set.of("UNIQUE", "OR", "REPLACE", "TEMPORARY", "TEMP");
    /** Enough words to cover the longest tag, CREATE OR REPLACE TEMPORARY VIEW. */
    private static final int MAX_TAG_WORDS = 5;

    private StatementTag() {
    }

    static String of(String sql, long updateCount) {
        List<String> words = leadingWords(sql, MAX_TAG_WORDS);
        if (words.isEmpty()) {
            return "OK";
        }
        String verb = words.get(0);
        if (COUNTING_VERBS.contains(verb)) {
            return verb + " " + Math.max(0, updateCount);
        }
        if (DDL_VERBS.contains(verb)) {
            StringBuilder tag = new StringBuilder(verb);
            for (int i = 1; i < words.size(); i++) {
                tag.append(' ').append(words.get(i));
                if (!DDL_MODIFIERS.contains(words.get(i))) {
                    break;
                }
            }
            return tag.toString();
        }
        return verb;
    }

    /** Whether the statement may change tables or columns, so that cached names go stale. */
    static boolean changesCatalog(String sql) {
        List<String> words = leadingWords(sql, 1);
        return !words.isEmpty() && DDL_VERBS.contains(words.get(0));
    }

    private static List<String> leadingWords(String sql, int max) {
        List<String> words = new ArrayList<>(max);
        int i = 0;
        while (i < sql.length() && words.size() < max) {
            while (i < sql.length() && !Character.isLetter(sql.charAt(i))) {
                if (!Character.isWhitespace(sql.charAt(i))) {
                    return words; // a parenthesis or name: the keywords are over
                }
                i++;
            }
            int start = i;
            while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(sql.substring(start, i).toUpperCase(Locale.ROOT));
            }
        }
        return words;
    }
}
