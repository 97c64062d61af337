package io.starlingdb.sql.exec;

import java.lang.reflect.Type;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeSystem;

/**
 * A type factory that the threads planning at one catalog version share ({@link QueryCompiler},
 * {@link DirectCatalog}). Calcite's type factories keep their types in thread-safe interning
 * caches, except {@link JavaTypeFactoryImpl}'s map of synthetic record classes, which code
 * generation fills through {@link #getJavaClass} and {@link #createType}: those two are
 * synchronized, so two plans generated at once on two threads cannot corrupt it.
 */
final class SharedTypeFactory extends JavaTypeFactoryImpl {

    SharedTypeFactory(RelDataTypeSystem typeSystem) {
        super(typeSystem);
    }

    @Override
    public synchronized Type getJavaClass(RelDataType type) {
        return super.getJavaClass(type);
    }

    @Override
    public synchronized RelDataType createType(Type type) {
        return super.createType(type);
    }
}
