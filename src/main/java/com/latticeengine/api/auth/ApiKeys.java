package com.latticeengine.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys of lattice.auth.api-keys-file: a JSON array of
 * {@code {"id": "ci", "sha256": "<hex>", "role": "operator", "tenant": "acme"}}. Only SHA-256
 * hashes are held; a presented key is hashed and compared with every entry in constant time, so
 * neither the timing nor the log says which entry (or how much of one) matched.
 */
public final class ApiKeys {

    private static final Set<String> FIELDS = Set.of("id", "sha256", "role", "tenant");

    private record Entry(String id, byte[] sha256, Role role, String tenant) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = entries;
    }

    public static ApiKeys none() {
        return new ApiKeys(List.of());
    }

    /**
     * Reads and checks the whole file; a broken or unreadable file is a startup error naming the file, the
     * entry and the field, never a value from it.
     */
    public static ApiKeys load(Path file, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("lattice.auth.api-keys-file " + file + " cannot be read as JSON ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isArray()) {
            throw invalid(file, "the file must hold a JSON array of {id, sha256, role, tenant}");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            String where = "entry [" + i + "]";
            if (!node.isObject()) {
                throw invalid(file, where + " must be an object");
            }
            node.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) {
                    throw invalid(file, where + ": unknown field '" + f + "'");
                }
            });
            String id = text(node, "id");
            if (id == null || id.isBlank() || id.length() > 100) {
                throw invalid(file, where + ".id must be a string of 1 to 100 characters");
            }
            if (!ids.add(id)) {
                throw invalid(file, where + ".id '" + id + "' appears twice");
            }
            String hash = text(node, "sha256");
            if (hash == null || !hash.matches("[0-9a-fA-F]{64}")) {
                throw invalid(file, where + " (" + id + ").sha256 must be 64 hex digits (the SHA-256 of the key)");
            }
            Role role = Role.of(text(node, "role")).orElseThrow(() -> invalid(file,
                    where + " (" + id + ").role must be viewer, operator or admin"));
            String tenant = text(node, "tenant");
            if (tenant == null && role == Role.ADMIN) {
                tenant = Caller.DEFAULT_TENANT;
            }
            if (tenant == null || !Caller.TENANT.matcher(tenant).matches()) {
                throw invalid(file, where + " (" + id + ").tenant must match " + Caller.TENANT.pattern()
                        + " (only an admin may omit it)");
            }
            entries.add(new Entry(id, HexFormat.of().parseHex(hash.toLowerCase()), role, tenant));
        }
        return new ApiKeys(List.copyOf(entries));
    }

    public int size() {
        return entries.size();
    }

    /** The caller whose key hashes to the presented one; every entry is compared, match or not. */
    public Optional<Caller> authenticate(String presentedKey) {
        byte[] digest = sha256(presentedKey);
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(digest, entry.sha256()) && match == null) {
                match = entry;
            }
        }
        return match == null ? Optional.empty()
                : Optional.of(new Caller(match.id(), match.role(), match.tenant(), "api-key"));
    }

    /** Hex SHA-256 of a key, the form the key file stores. */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static IllegalStateException invalid(Path file, String reason) {
        return new IllegalStateException("lattice.auth.api-keys-file " + file + ": " + reason);
    }
}
