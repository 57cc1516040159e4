package com.latticeengine.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps callbacks off the engine's own network (SSRF): only http(s) URLs without credentials, and
 * unless private addresses are allowed, no host that is or resolves to a loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast or
 * reserved address, in IPv4 or any IPv6 form that embeds one. Checked at submission where the
 * name resolves and again by the sender right before each attempt, after resolution, so a name
 * that later re-points inward (DNS rebinding) is still refused.
 */
public final class AddressGuard {

    /** Longer URLs are refused: no receiver needs one, and every delivery row keeps a copy. */
    public static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;

    public AddressGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** A refused name or address, with the reason. */
    public static final class RefusedException extends Exception {
        public RefusedException(String reason) {
            super(reason);
        }
    }

    /** The URL, if its form is acceptable; the reason otherwise. Resolves nothing. */
    public static URI parse(String url) throws RefusedException {
        if (url.length() > MAX_URL_LENGTH) {
            throw new RefusedException("must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RefusedException("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedException("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedException("must not carry credentials (user:password@); deliveries are signed instead");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new RefusedException("must name a host");
        }
        return uri;
    }

    /**
     * At submission: the URL's form, and its addresses where the name resolves now. A name that
     * does not resolve yet is accepted; the sender checks it again at every attempt.
     */
    public void checkAtSubmission(String url) throws RefusedException {
        URI uri = parse(url);
        try {
            check(uri.getHost(), InetAddress.getAllByName(uri.getHost()));
        } catch (UnknownHostException e) {
            // checked again when sending
        }
    }

    /**
     * At send time: every address the host resolves to must be acceptable. The JVM's DNS cache
     * (networkaddress.cache.ttl, 30 s by default) then hands the HTTP client the addresses
     * checked here.
     */
    public void checkBeforeSending(URI uri) throws RefusedException, UnknownHostException {
        check(uri.getHost(), InetAddress.getAllByName(uri.getHost()));
    }

    private void check(String host, InetAddress[] addresses) throws RefusedException {
        if (allowPrivate) {
            return;
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = refusedKind(address);
            if (kind.isPresent()) {
                throw new RefusedException("host " + host + " resolves to " + address.getHostAddress() + ", a "
                        + kind.get() + " address (refused unless lattice.webhooks.allow-private=true)");
            }
        }
    }

    /** What kind of address this is, when a callback may not reach it. */
    static Optional<String> refusedKind(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            return refusedKind(v6);
        }
        byte[] b = address.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress() || first == 0) {
            return Optional.of("unspecified (\"this network\")");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (first == 100 && (second & 0xc0) == 64) {
            return Optional.of("carrier-grade NAT (shared)");
        }
        if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
            return Optional.of("IETF protocol assignment");
        }
        if (first == 198 && (second & 0xfe) == 18) {
            return Optional.of("benchmarking");
        }
        if (address.isMulticastAddress() || first >= 224) {
            return Optional.of(first >= 240 ? "reserved or broadcast" : "multicast");
        }
        return Optional.empty();
    }

    private static Optional<String> refusedKind(Inet6Address address) {
        byte[] b = address.getAddress();
        if (address.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("site-local");
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("unique local (private)");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        Optional<Inet4Address> embedded = embeddedIpv4(b);
        return embedded.flatMap(AddressGuard::refusedKind).map(kind -> kind + " (IPv4 inside IPv6)");
    }

    /**
     * The IPv4 address inside an IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d; Java
     * usually unwraps these itself), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:AABB:CCDD::) address.
     */
    private static Optional<Inet4Address> embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0;
        boolean mapped = zeroPrefix && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
        if (compatible || mapped || nat64) {
            return Optional.of(ipv4(b[12], b[13], b[14], b[15]));
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return Optional.of(ipv4(b[2], b[3], b[4], b[5]));
        }
        return Optional.empty();
    }

    private static Inet4Address ipv4(byte a, byte b, byte c, byte d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
