package com.latticeengine.webhooks;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF guard on literal addresses (no DNS needed) in every form that reaches the engine's own network. */
class AddressGuardTest {

    private final AddressGuard strict = new AddressGuard(false);

    @Test
    void loopbackPrivateLinkLocalAndReservedIpv4AreRefused() throws Exception {
        for (String address : List.of("127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255",
                "192.0.0.8", "198.18.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255")) {
            assertTrue(AddressGuard.refusedKind(InetAddress.getByName(address)).isPresent(), address);
        }
    }

    @Test
    void ipv6LoopbackUniqueLocalLinkLocalAndEmbeddedIpv4FormsAreRefused() throws Exception {
        for (String address : List.of("::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1",
                "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:c0a8:101::1")) {
            assertTrue(AddressGuard.refusedKind(InetAddress.getByName(address)).isPresent(), address);
        }
    }

    @Test
    void publicAddressesAreAccepted() throws Exception {
        for (String address : List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1",
                "2606:2800:220:1:248:1893:25c8:1946", "2002:5db8:d822::1", "64:ff9b::808:808")) {
            assertEquals(java.util.Optional.empty(), AddressGuard.refusedKind(InetAddress.getByName(address)), address);
        }
    }

    @Test
    void urlsNamingARefusedAddressAreRefusedWithTheAddressAndWhy() {
        AddressGuard.RefusedException e = assertThrows(AddressGuard.RefusedException.class,
                () -> strict.checkAtSubmission("http://127.0.0.1:8080/hook"));
        assertTrue(e.getMessage().contains("127.0.0.1") && e.getMessage().contains("loopback")
                && e.getMessage().contains("lattice.webhooks.allow-private"), e.getMessage());
        for (String url : List.of("http://localhost/hook", "http://[::1]/hook", "https://[::ffff:10.1.2.3]/x",
                "http://169.254.169.254/latest/meta-data/", "http://127.1/")) {
            assertThrows(AddressGuard.RefusedException.class, () -> strict.checkAtSubmission(url), url);
        }
    }

    @Test
    void onlyHttpAndHttpsWithAHostAndNoCredentialsAreAccepted() {
        for (String url : List.of("ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/",
                "javascript:alert(1)", "example.com/hook", "http:///nohost", "https://user:pw@example.com/hook",
                "http://exa mple.com/")) {
            assertThrows(AddressGuard.RefusedException.class, () -> AddressGuard.parse(url), url);
        }
        assertThrows(AddressGuard.RefusedException.class,
                () -> AddressGuard.parse("https://example.com/" + "x".repeat(AddressGuard.MAX_URL_LENGTH)));
        assertDoesNotThrow(() -> AddressGuard.parse("HTTPS://example.com:8443/hooks/lattice?team=a"));
    }

    @Test
    void allowPrivateLetsLocalReceiversThroughButNotOtherSchemes() throws Exception {
        AddressGuard relaxed = new AddressGuard(true);
        assertDoesNotThrow(() -> relaxed.checkAtSubmission("http://127.0.0.1:9/hook"));
        assertDoesNotThrow(() -> relaxed.checkBeforeSending(URI.create("http://[::1]:9/hook")));
        assertThrows(AddressGuard.RefusedException.class, () -> relaxed.checkAtSubmission("file:///etc/passwd"));
    }

    @Test
    void atSendTimeTheResolvedAddressIsChecked() {
        assertThrows(AddressGuard.RefusedException.class,
                () -> strict.checkBeforeSending(URI.create("http://localhost:9/hook")));
        assertThrows(UnknownHostException.class,
                () -> strict.checkBeforeSending(URI.create("http://no-such-host.invalid/hook")));
    }
}
