package io.starlingdb.shell;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Tells JLine when the buffer holds complete input (Enter then runs it) and which word the cursor
 * is on (for completion). Input is complete when no statement, literal or comment is left open:
 * until the closing {@code ;} JLine keeps reading lines into the same buffer, so history holds a
 * multi-line statement as one entry.
 */
final class SqlLineParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) throws EOFError {
        if (context == ParseContext.ACCEPT_LINE && StatementSplitter.split(line).open()) {
            throw new EOFError(-1, -1, "statement not terminated by ;", ";");
        }
        return SqlParsedLine.at(line, cursor);
    }

    /** JLine's escape handling would eat backslashes, which start meta-commands here. */
    @Override
    public boolean isEscapeChar(char ch) {
        return false;
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The line split into SQL words (identifier characters); the current word is the one the cursor ends. */
    record SqlParsedLine(String line, int cursor, List<String> words, int wordIndex, String word, int wordCursor)
            implements CompletingParsedLine {

        /** Candidates go in as they are: names that need quotes are offered with their quotes. */
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word.length();
        }

        static SqlParsedLine at(String line, int cursor) {
            int start = cursor;
            while (start > 0 && isWordChar(line.charAt(start - 1))) {
                start--;
            }
            int end = cursor;
            while (end < line.length() && isWordChar(line.charAt(end))) {
                end++;
            }
            List<String> words = new ArrayList<>();
            int i = 0;
            while (i < start) {
                if (!isWordChar(line.charAt(i))) {
                    i++;
                    continue;
                }
                int wordStart = i;
                while (i < start && isWordChar(line.charAt(i))) {
                    i++;
                }
                words.add(line.substring(wordStart, i));
            }
            String word = line.substring(start, end);
            words.add(word);
            return new SqlParsedLine(line, cursor, List.copyOf(words), words.size() - 1, word, cursor - start);
        }
    }
}
