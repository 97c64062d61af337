package io.starlingdb.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StarlingUrlTest {

    private static StarlingUrl parse(String url) throws SQLException {
        return StarlingUrl.parse(url, null);
    }

    private static SQLException refused(String url) {
        SQLException e = assertThrows(SQLException.class, () -> parse(url), url);
        assertEquals("08001", e.getSQLState(), e.getMessage());
        return e;
    }

    @Test
    void singleHostWithPort() throws Exception {
        StarlingUrl url = parse("jdbc:starling://db.example.com:7000/");
        assertEquals(List.of(new StarlingUrl.HostPort("db.example.com", 7000)), url.hosts());
        assertTrue(url.properties().isEmpty());
    }

    @Test
    void portDefaultsTo7432AndTheSlashIsOptional() throws Exception {
        assertEquals(List.of(new StarlingUrl.HostPort("localhost", 7432)), parse("jdbc:starling://localhost").hosts());
        assertEquals(List.of(new StarlingUrl.HostPort("localhost", 7432)), parse("jdbc:starling://localhost/").hosts());
    }

    @Test
    void severalHostsKeepTheirOrder() throws Exception {
        StarlingUrl url = parse("jdbc:starling://a:1, b:2 ,c/");
        assertEquals(List.of(new StarlingUrl.HostPort("a", 1), new StarlingUrl.HostPort("b", 2),
                new StarlingUrl.HostPort("c", 7432)), url.hosts());
    }

    @Test
    void queryPropertiesAreDecodedAndGivenPropertiesWin() throws Exception {
        Properties given = new Properties();
        given.setProperty("fetchSize", "50");
        StarlingUrl url = StarlingUrl.parse("jdbc:starling://h:1/?connectTimeout=250&fetchSize=10&user=a%20b&flag", given);
        assertEquals("250", url.properties().getProperty("connectTimeout"));
        assertEquals("50", url.properties().getProperty("fetchSize"));
        assertEquals("a b", url.properties().getProperty("user"));
        assertEquals("", url.properties().getProperty("flag"));
        assertEquals(250, url.intProperty("connectTimeout", 5000, 1, 600_000));
        assertEquals(99, url.intProperty("socketTimeout", 99, 0, 1000));
    }

    @Test
    void badUrlsAreRefusedWithMessagesThatSayWhy() {
        assertTrue(refused("jdbc:postgresql://h:1/").getMessage().contains("not a Starling URL"));
        assertTrue(refused("jdbc:starling:///").getMessage().contains("names no host"));
        assertTrue(refused("jdbc:starling://").getMessage().contains("names no host"));
        assertTrue(refused("jdbc:starling://a:1,,b:2/").getMessage().contains("empty host"));
        assertTrue(refused("jdbc:starling://h:0/").getMessage().contains("bad port"));
        assertTrue(refused("jdbc:starling://h:65536/").getMessage().contains("expected 1..65535"));
        assertTrue(refused("jdbc:starling://h:abc/").getMessage().contains("'h:abc'"));
        assertTrue(refused("jdbc:starling://h:/").getMessage().contains("bad port"));
    }

    @Test
    void badPropertyValuesNameTheProperty() throws Exception {
        StarlingUrl url = parse("jdbc:starling://h:1/?fetchSize=0&connectTimeout=soon");
        SQLException range = assertThrows(SQLException.class, () -> url.intProperty("fetchSize", 1000, 1, 100_000));
        assertTrue(range.getMessage().contains("fetchSize") && range.getMessage().contains("1..100000"), range.getMessage());
        SQLException number = assertThrows(SQLException.class, () -> url.intProperty("connectTimeout", 5000, 1, 600_000));
        assertTrue(number.getMessage().contains("connectTimeout") && number.getMessage().contains("'soon'"), number.getMessage());
    }

    @Test
    void driverIsRegisteredThroughServiceLoaderAndIgnoresOtherUrls() throws Exception {
        Driver driver = DriverManager.getDriver("jdbc:starling://h:1/");
        assertTrue(driver instanceof StarlingDriver);
        assertTrue(driver.acceptsURL("jdbc:starling://h:1/"));
        assertFalse(driver.acceptsURL("jdbc:h2:mem:x"));
        assertFalse(driver.acceptsURL(null));
        assertNull(driver.connect("jdbc:h2:mem:x", new Properties()), "another driver's URL is not ours");
        assertEquals(StarlingDriver.MAJOR_VERSION, driver.getMajorVersion());
        java.sql.DriverPropertyInfo[] properties = driver.getPropertyInfo("jdbc:starling://h:1/", new Properties());
        assertEquals(java.util.List.of("connectTimeout", "socketTimeout", "fetchSize", "discoverNodes", "loadBalanceHosts", "user", "readConsistency"),
                java.util.Arrays.stream(properties).map(p -> p.name).toList());
    }
}
