package com.latticeengine.api.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aKeyIsAcceptedByItsHashAndAnythingElseIsNot() throws IOException {
        ApiKeys keys = ApiKeys.load(file("[{\"id\": \"ci\", \"sha256\": \"" + ApiKeys.sha256Hex("k-1") + "\", "
                + "\"role\": \"operator\", \"tenant\": \"acme\"}, {\"id\": \"root\", \"sha256\": \""
                + ApiKeys.sha256Hex("k-2").toUpperCase() + "\", \"role\": \"admin\"}]"), JSON);
        assertEquals(new Caller("ci", Role.OPERATOR, "acme", "api-key"), keys.authenticate("k-1").orElseThrow());
        assertEquals(new Caller("root", Role.ADMIN, Caller.DEFAULT_TENANT, "api-key"), keys.authenticate("k-2").orElseThrow());
        assertTrue(keys.authenticate("k-3").isEmpty());
        assertTrue(keys.authenticate(ApiKeys.sha256Hex("k-1")).isEmpty(), "the hash itself is not a key");
        assertTrue(keys.authenticate("").isEmpty());
    }

    @Test
    void aBrokenFileStopsTheStartNamingTheEntryAndFieldButNoValue() throws IOException {
        String hash = ApiKeys.sha256Hex("k-1");
        assertMessage("[{\"id\": \"ci\", \"sha256\": \"" + hash + "\", \"role\": \"operator\"}]", "entry [0] (ci).tenant");
        assertMessage("[{\"id\": \"ci\", \"sha256\": \"" + hash + "\", \"role\": \"root\", \"tenant\": \"a\"}]",
                "entry [0] (ci).role");
        assertMessage("[{\"id\": \"ci\", \"sha256\": \"abc\", \"role\": \"viewer\", \"tenant\": \"a\"}]",
                "entry [0] (ci).sha256");
        assertMessage("[{\"id\": \"ci\", \"sha-256\": \"" + hash + "\"}]", "unknown field 'sha-256'");
        assertMessage("{\"id\": \"ci\"}", "JSON array");
        assertMessage("[{\"id\": \"a\", \"sha256\": \"" + hash + "\", \"role\": \"admin\"}, {\"id\": \"a\", \"sha256\": \""
                + hash + "\", \"role\": \"admin\"}]", "appears twice");
        assertMessage("[{\"id\": \"ci\", \"sha256\": \"" + hash + "\", \"role\": \"viewer\", \"tenant\": \"a b\"}]",
                "entry [0] (ci).tenant");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> ApiKeys.load(dir.resolve("absent.json"), JSON));
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }

    @Test
    void aKeyFileThatDoesNotExistMeansNoKeysNotAFailedStart() throws IOException {
        assertEquals(0, Authenticator.load(dir.resolve("not-mounted.json"), JSON).size());
        Path broken = file("[{\"id\": 1}]");
        assertThrows(IllegalStateException.class, () -> Authenticator.load(broken, JSON));
    }

    private void assertMessage(String content, String expected) throws IOException {
        Path file = file(content);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ApiKeys.load(file, JSON));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains(ApiKeys.sha256Hex("k-1")), "quotes a hash: " + e.getMessage());
    }

    private Path file(String content) throws IOException {
        Path file = Files.createTempFile(dir, "keys", ".json");
        Files.writeString(file, content);
        return file;
    }
}
