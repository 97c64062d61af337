package io.starlingdb.engine.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StarlingClientSpinSettingTest {

    @AfterEach
    void clear() {
        System.clearProperty(StarlingClient.spinMicrosProperty);
    }

    @Test
    void theSpinIsTheDefaultUnlessSetAndZeroTurnsItOff() {
        assertEquals(StarlingClient.defaultSpinMicros, StarlingClient.spinMicros());
        System.setProperty(StarlingClient.spinMicrosProperty, "0");
        assertEquals(0, StarlingClient.spinMicros());
        System.setProperty(StarlingClient.spinMicrosProperty, " 1500 ");
        assertEquals(1500, StarlingClient.spinMicros());
    }

    @Test
    void aBadSettingIsRefusedWithItsName() {
        for (String bad : new String[] {"-1", "1000001", "fast"}) {
            System.setProperty(StarlingClient.spinMicrosProperty, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, StarlingClient::spinMicros);
            assertTrue(e.getMessage().contains(StarlingClient.spinMicrosProperty), e.getMessage());
        }
    }
}
