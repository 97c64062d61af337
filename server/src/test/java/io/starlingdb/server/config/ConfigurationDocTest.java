package io.starlingdb.server.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md names every setting the node accepts. */
class ConfigurationDocTest {

    @Test
    void everySettingIsDocumented() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String doc = Files.readString(root.resolve("docs/configuration.md"));
        for (Setting setting : NodeConfig.SETTINGS) {
            assertTrue(doc.contains("| `" + setting.key() + "` |"), setting.key() + " is missing from docs/configuration.md");
        }
    }
}
