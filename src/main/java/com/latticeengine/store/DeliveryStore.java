package com.latticeengine.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The webhook outbox (DeliverySql): claim due deliveries, fix their bodies, record each attempt. */
@ApplicationScoped
public class DeliveryStore {

    /**
     * A delivery one sender holds until {@code attempt}'s lease lapses; {@code body} is null before
     * the first attempt; {@code secret} is the callback's own signing secret, null for
     * lattice.webhooks.secret, and stays out of {@link #toString}.
     */
    public record Claimed(UUID id, UUID runId, String event, String url, String runState, String pausedReason,
                          String taskName, Instant occurredAt, int attempt, String body, String tenant, String secret) {
        @Override
        public String toString() {
            return "Claimed[id=" + id + ", runId=" + runId + ", event=" + event + ", url=" + url + ", attempt=" + attempt
                    + ", own secret=" + (secret != null) + "]";
        }
    }

    /** One delivery as an operator sees it; {@code nextAttemptAt} only while it is PENDING. */
    public record Delivery(UUID id, String event, String taskName, String runState, String pausedReason,
                           String status, int attempts, String sender, Integer lastStatusCode, String lastError,
                           Instant occurredAt, Instant nextAttemptAt, Instant finishedAt) {
    }

    private final AgroalDataSource dataSource;

    public DeliveryStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Claimed> claimDue(int limit, Duration lease, String sender) throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DeliverySql.CLAIM_DUE)) {
            ps.setInt(1, limit);
            ps.setLong(2, lease.toMillis());
            ps.setString(3, sender);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                            rs.getTimestamp(8).toInstant(), rs.getInt(9), rs.getString(10), rs.getString(11),
                            rs.getString(12)));
                }
            }
        }
        return claimed;
    }

    /** Stores {@code body} unless an earlier attempt fixed one; returns the body to send. */
    public String fixBody(UUID id, String body) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DeliverySql.FIX_BODY)) {
            ps.setString(1, body);
            ps.setObject(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("delivery " + id + " vanished while being sent (its run was deleted)");
                }
                return rs.getString(1);
            }
        }
    }

    public void markDelivered(UUID id, int statusCode) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(DeliverySql.MARK_DELIVERED)) {
            ps.setInt(1, statusCode);
            ps.setObject(2, id);
            ps.executeUpdate();
        }
    }

    /**
     * Records a failed attempt: retried after {@code retryAfter}, or FAILED once {@code maxAge}
     * has passed since the event. Returns the delivery's status then (PENDING or FAILED); empty
     * when the claim was no longer this sender's.
     */
    public Optional<String> recordFailure(Claimed delivery, Integer statusCode, String error, Duration retryAfter,
                                 Duration maxAge) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(DeliverySql.RECORD_FAILURE)) {
            if (statusCode == null) {
                ps.setNull(1, Types.INTEGER);
            } else {
                ps.setInt(1, statusCode);
            }
            ps.setString(2, error);
            ps.setLong(3, retryAfter.toMillis());
            ps.setLong(4, maxAge.toMillis());
            ps.setObject(5, delivery.id());
            ps.setInt(6, delivery.attempt());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public List<Delivery> ofRun(UUID runId) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DeliverySql.OF_RUN)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deliveries.add(new Delivery(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8),
                            (Integer) rs.getObject(9), rs.getString(10), instant(rs.getTimestamp(11)),
                            instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13))));
                }
            }
        }
        return deliveries;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
