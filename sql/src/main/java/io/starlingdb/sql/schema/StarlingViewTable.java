package io.starlingdb.sql.schema;

import io.starlingdb.sql.SqlException;
import io.starlingdb.sql.catalog.ViewDef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.schema.impl.ViewTable;

/**
 * A view for Calcite: Calcite's {@link ViewTable}, which the converter expands from the stored
 * text into the query that names it, with a row type found by validating that text against
 * the tables of the same catalog version (once per version: the schema is rebuilt after DDL).
 * Its columns take the names the catalog stored for the view.
 */
final class StarlingViewTable extends ViewTable {

    /** Views whose row type this thread is working out: a view met again refers to itself. */
    private static final ThreadLocal<Set<String>> TYPING = ThreadLocal.withInitial(HashSet::new);

    private StarlingViewTable(ViewDef view, RowTypeOnce rowType) {
        super(Object[].class, rowType, view.sql(), List.of("PUBLIC"), List.of("PUBLIC", view.name()));
    }

    static StarlingViewTable of(ViewDef view, ViewQueryTyper typer) {
        return new StarlingViewTable(view, new RowTypeOnce(view, typer));
    }

    /** The view's row type, worked out on first use and copied into each planner's type factory. */
    private static final class RowTypeOnce implements org.apache.calcite.rel.type.RelProtoDataType {
        private final ViewDef view;
        private final ViewQueryTyper typer;
        private volatile RelDataType known;

        RowTypeOnce(ViewDef view, ViewQueryTyper typer) {
            this.view = view;
            this.typer = typer;
        }

        @Override
        public RelDataType apply(RelDataTypeFactory typeFactory) {
            RelDataType type = known;
            if (type == null) {
                type = workOut(typeFactory);
                known = type;
            }
            return typeFactory.copyType(type);
        }

        private RelDataType workOut(RelDataTypeFactory typeFactory) {
            Set<String> typing = TYPING.get();
            if (!typing.add(view.name())) {
                throw new InvalidViewException(new SqlException("42P17", "view " + view.name() + " refers to itself"));
            }
            RelDataType query;
            try {
                query = typer.rowType(view);
            } catch (SqlException e) {
                throw new InvalidViewException(new SqlException(e.sqlState(), "view " + view.name() + " cannot be read: "
                        + e.getMessage() + " (replace it with CREATE OR REPLACE VIEW or drop it)"));
            } finally {
                typing.remove(view.name());
            }
            List<RelDataTypeField> fields = query.getFieldList();
            if (fields.size() != view.columns().size()) {
                throw new InvalidViewException(new SqlException("42P16", "view " + view.name() + " names "
                        + view.columns().size() + " columns but its query now returns " + fields.size()
                        + " (replace it with CREATE OR REPLACE VIEW or drop it)"));
            }
            List<RelDataType> types = new ArrayList<>(fields.size());
            for (RelDataTypeField field : fields) {
                types.add(field.getType());
            }
            return typeFactory.createStructType(types, view.columns());
        }
    }
}
