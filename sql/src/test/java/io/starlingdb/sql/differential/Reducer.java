package io.starlingdb.sql.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta reduction of a failing check: replaces pieces of its SQL tree by a descendant of the
 * same role, by a simpler piece (a literal, an empty optional clause) or drops list items, and
 * keeps every change after which the check still fails the same way, until nothing more can go.
 */
final class Reducer {

    /** Tries per reduction; a reduction re-runs the check, so this bounds its time. */
    static final int MAX_TRIES = 150;

    private Reducer() {
    }

    static Sql reduce(Sql failing, Predicate<Sql> stillFails) {
        Sql current = failing;
        int tries = 0;
        boolean progress = true;
        while (progress && tries < MAX_TRIES) {
            progress = false;
            search:
            for (Sql piece : current.pieces()) {
                for (Sql candidate : candidates(piece)) {
                    if (++tries > MAX_TRIES) {
                        break search;
                    }
                    Sql reduced = current.replace(piece, candidate);
                    if (reduced.render().length() < current.render().length() && stillFails.test(reduced)) {
                        current = reduced;
                        progress = true;
                        break search;
                    }
                }
            }
        }
        return current;
    }

    private static List<Sql> candidates(Sql piece) {
        List<Sql> out = new ArrayList<>();
        switch (piece.role) {
            case "bool" -> {
                out.add(Sql.leaf("bool", "TRUE"));
                out.add(Sql.leaf("bool", "FALSE"));
            }
            case "int" -> out.add(Sql.leaf("int", "1"));
            case "dec" -> out.add(Sql.leaf("dec", "1.50"));
            case "dbl" -> out.add(Sql.leaf("dbl", "CAST(1.5 AS DOUBLE)"));
            case "str" -> out.add(Sql.leaf("str", "'a'"));
            default -> {
            }
        }
        out.addAll(piece.simpler);
        for (Sql descendant : piece.pieces()) {
            if (descendant != piece && descendant.role.equals(piece.role)) {
                out.add(descendant);
            }
        }
        if (piece.isList()) {
            for (int i = 0; i < piece.children.size() && piece.children.size() > 1; i++) {
                out.add(piece.withoutItem(i));
            }
        }
        return out;
    }
}
