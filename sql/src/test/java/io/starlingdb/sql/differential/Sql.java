package io.starlingdb.sql.differential;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A piece of generated SQL: literal text around child pieces, with a role ({@code bool},
 * {@code num}, {@code str}, {@code clause}, ...). A piece can stand in for its parent when it
 * has the parent's role, and may offer simpler stand-ins of its own (TRUE for a predicate, an
 * empty string for an optional clause): that is all {@link Reducer} needs to shrink a failing
 * query. Immutable.
 */
final class Sql {
    final String role;
    private final String[] text;
    final List<Sql> children;
    final List<Sql> simpler;

    private Sql(String role, String[] text, List<Sql> children, List<Sql> simpler) {
        if (text.length != children.size() + 1) {
            throw new IllegalArgumentException("text pieces must surround the children");
        }
        this.role = role;
        this.text = text;
        this.children = children;
        this.simpler = simpler;
    }

    /** A leaf: plain SQL text. */
    static Sql leaf(String role, String sql) {
        return new Sql(role, new String[] {sql}, List.of(), List.of());
    }

    /**
     * A piece from a template in which each {@code $} is a child, in order:
     * {@code of("bool", "($ AND $)", a, b)}.
     */
    static Sql of(String role, String template, Sql... children) {
        String[] text = template.split("\\$", -1);
        return new Sql(role, text, List.of(children), List.of());
    }

    /** The same piece, offering these stand-ins to the reducer. */
    Sql orSimpler(Sql... alternatives) {
        List<Sql> all = new ArrayList<>(simpler);
        all.addAll(List.of(alternatives));
        return new Sql(role, text, children, List.copyOf(all));
    }

    /** Pieces that are a list joined by a separator: {@code a, b, c}. */
    static Sql list(String role, String separator, List<Sql> items) {
        String[] text = new String[items.size() + 1];
        text[0] = "";
        text[items.size()] = "";
        for (int i = 1; i < items.size(); i++) {
            text[i] = separator;
        }
        return new Sql(role, text, List.copyOf(items), List.of());
    }

    String render() {
        StringBuilder out = new StringBuilder();
        render(out);
        return out.toString();
    }

    private void render(StringBuilder out) {
        out.append(text[0]);
        for (int i = 0; i < children.size(); i++) {
            children.get(i).render(out);
            out.append(text[i + 1]);
        }
    }

    /** Every piece of the tree, parents before children. */
    List<Sql> pieces() {
        List<Sql> out = new ArrayList<>();
        collect(out);
        return out;
    }

    private void collect(List<Sql> out) {
        out.add(this);
        for (Sql child : children) {
            child.collect(out);
        }
    }

    /** This tree with {@code target} (by identity) replaced. */
    Sql replace(Sql target, Sql replacement) {
        Map<Sql, Sql> done = new IdentityHashMap<>();
        return replace(target, replacement, done);
    }

    private Sql replace(Sql target, Sql replacement, Map<Sql, Sql> done) {
        if (this == target) {
            return replacement;
        }
        List<Sql> newChildren = new ArrayList<>(children.size());
        boolean changed = false;
        for (Sql child : children) {
            Sql replaced = child.replace(target, replacement, done);
            changed |= replaced != child;
            newChildren.add(replaced);
        }
        return changed ? new Sql(role, text, List.copyOf(newChildren), simpler) : this;
    }

    /** This list piece without its {@code index}th item (lists only). */
    Sql withoutItem(int index) {
        List<Sql> items = new ArrayList<>(children);
        items.remove(index);
        String separator = text.length > 2 ? text[1] : ", ";
        Sql out = list(role, separator, items);
        return new Sql(role, out.text, out.children, simpler);
    }

    boolean isList() {
        return role.endsWith("-list");
    }

    @Override
    public String toString() {
        return render();
    }
}
