package com.latticeengine.processing.llm;

import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.RateLimitedException;
import dev.langchain4j.exception.HttpException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps what the langchain4j OpenAI client throws to the engine's failure kinds, and keeps the
 * API key out of every message (providers echo keys and headers in their error bodies).
 */
final class LlmErrors {

    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    private static final int MAX_MESSAGE = 500;
    private static final String QUOTA_EXHAUSTED = "insufficient_quota";
    private static final Pattern MARKER = Pattern.compile(Pattern.quote(RetryAfterCapture.MARKER) + "([^\\]]*)]\\n?");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[^\\s\"',]+");
    private static final Pattern SK_KEY = Pattern.compile("sk-[A-Za-z0-9_*\\-]{4,}");

    private LlmErrors() {
    }

    static ProcessingException classify(Throwable error, String apiKey, Duration timeout) {
        HttpException http = find(error, HttpException.class);
        if (http != null) {
            return fromStatus(http.statusCode(), http.getMessage(), apiKey);
        }
        if (isTimeout(error)) {
            return new ProcessingException("model call timed out after " + timeout.toMillis() + " ms", true);
        }
        Throwable root = root(error);
        return new ProcessingException("model call failed (" + root.getClass().getSimpleName() + "): "
                + sanitize(root.getMessage(), apiKey), true);
    }

    /** Whether the provider answered the call with an error status (it was refused, not cut off). */
    static boolean providerAnswered(Throwable error) {
        return find(error, HttpException.class) != null;
    }

    static ProcessingException fromStatus(int status, String body, String apiKey) {
        String retryAfter = null;
        if (body != null) {
            Matcher m = MARKER.matcher(body);
            if (m.find()) {
                retryAfter = m.group(1);
                body = m.replaceAll("");
            }
        }
        String detail = sanitize(body, apiKey);
        if (status == 429 && detail.contains(QUOTA_EXHAUSTED)) {
            // OpenAI's answer when the account has no credit left: a Retry-After would only repeat it.
            return new ProcessingException("the provider's quota is used up (HTTP 429 " + QUOTA_EXHAUSTED
                    + "); add credit or raise the account's limit, then rerun: " + detail, false);
        }
        if (status == 429) {
            Duration wait = retryAfter(retryAfter, Instant.now());
            return new RateLimitedException("rate limited by the provider (HTTP 429, retry after " + wait.toMillis()
                    + " ms): " + detail, wait);
        }
        if (status >= 500 || status == 408) {
            return new ProcessingException("provider error (HTTP " + status + "): " + detail, true);
        }
        if (status == 401 || status == 403) {
            return new ProcessingException("the provider refused the credentials (HTTP " + status
                    + "); check quarkus.langchain4j.openai.api-key: " + detail, false);
        }
        if (status == 404) {
            return new ProcessingException("model or endpoint not found (HTTP 404); check the model name and"
                    + " quarkus.langchain4j.openai.base-url: " + detail, false);
        }
        String hint = detail.toLowerCase(Locale.ROOT).contains("context") ? " (the prompt may exceed the model's context length)" : "";
        return new ProcessingException("the provider rejected the request (HTTP " + status + ")" + hint + ": " + detail,
                false);
    }

    /** Seconds (possibly fractional) or an HTTP date; absent or unreadable means the default. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return DEFAULT_RETRY_AFTER;
        }
        String v = value.strip();
        Duration wait;
        try {
            wait = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notDate) {
                return DEFAULT_RETRY_AFTER;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    static String sanitize(String text, String apiKey) {
        if (text == null) {
            return "";
        }
        String s = text;
        if (apiKey != null && apiKey.length() >= 4) {
            s = s.replace(apiKey, "***");
        }
        s = BEARER.matcher(s).replaceAll("Bearer ***");
        s = SK_KEY.matcher(s).replaceAll("sk-***");
        s = s.replaceAll("\\s+", " ").strip();
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "..." : s;
    }

    private static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.langchain4j.exception.TimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.net.http.HttpTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")
                    || (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("timed out"))) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable root(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
