package com.latticeengine.processing.llm;

import com.latticeengine.processing.ProcessingException;
import com.latticeengine.processing.RateLimitedException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error classification, Retry-After parsing and key scrubbing, without a server. */
class LlmErrorsTest {

    private static final String KEY = "sk-test-SECRET-123";

    @Test
    void retryAfterInSecondsOrAsAnHttpDateElseTheDefault() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Duration.ofSeconds(2), LlmErrors.retryAfter("2", now));
        assertEquals(Duration.ofMillis(1500), LlmErrors.retryAfter(" 1.5 ", now));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(7), LlmErrors.retryAfter(date, now));
        assertEquals(Duration.ZERO, LlmErrors.retryAfter("Wed, 01 Jan 2020 00:00:00 GMT", now));
        assertEquals(LlmErrors.DEFAULT_RETRY_AFTER, LlmErrors.retryAfter(null, now));
        assertEquals(LlmErrors.DEFAULT_RETRY_AFTER, LlmErrors.retryAfter("soon", now));
    }

    @Test
    void statusesMapToTheEnginesFailureKinds() {
        HttpException limited = new HttpException(429, RetryAfterCapture.MARKER + "3]\n{\"error\":\"slow down\"}");
        ProcessingException e = LlmErrors.classify(new RateLimitException(limited), KEY, Duration.ofSeconds(1));
        RateLimitedException rl = assertInstanceOf(RateLimitedException.class, e);
        assertEquals(Duration.ofSeconds(3), rl.retryAfter());
        assertFalse(rl.getMessage().contains(RetryAfterCapture.MARKER), rl.getMessage());

        ProcessingException quota = LlmErrors.classify(new RateLimitException(new HttpException(429,
                "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
                        + "\"code\":\"insufficient_quota\"}}")), KEY, Duration.ZERO);
        assertFalse(quota instanceof RateLimitedException, "no credit left is not a rate limit: " + quota.getMessage());
        assertFalse(quota.retryable());
        assertTrue(quota.getMessage().contains("quota is used up"), quota.getMessage());

        assertTrue(LlmErrors.classify(new InternalServerException(new HttpException(503, "x")), KEY, Duration.ZERO).retryable());
        assertFalse(LlmErrors.classify(new HttpException(400, "maximum context length exceeded"), KEY, Duration.ZERO).retryable());
        assertTrue(LlmErrors.fromStatus(400, "maximum context length exceeded", KEY).getMessage().contains("context length"));
        assertFalse(LlmErrors.fromStatus(401, "bad key", KEY).retryable());
        assertFalse(LlmErrors.fromStatus(403, "forbidden", KEY).retryable());
        assertTrue(LlmErrors.classify(new RuntimeException(new java.net.ConnectException("Connection refused")), KEY,
                Duration.ZERO).retryable());
        ProcessingException timeout = LlmErrors.classify(new RuntimeException(new java.util.concurrent.TimeoutException()),
                KEY, Duration.ofMillis(800));
        assertTrue(timeout.retryable());
        assertTrue(timeout.getMessage().contains("timed out after 800 ms"));
    }

    @Test
    void theKeyAndBearerTokensAreScrubbed() {
        String scrubbed = LlmErrors.fromStatus(401, "Incorrect API key provided: " + KEY
                + " header Authorization: Bearer abc.def other sk-live-abcdef123", KEY).getMessage();
        assertFalse(scrubbed.contains(KEY), scrubbed);
        assertFalse(scrubbed.contains("SECRET"), scrubbed);
        assertFalse(scrubbed.contains("abc.def"), scrubbed);
        assertFalse(scrubbed.contains("sk-live"), scrubbed);
    }

    @Test
    void theDefaultLlmProcessorWithoutEndpointStopsStartupNamingTheProperty() {
        CallSettings defaults = new CallSettings("gpt-4o-mini", null, null, Duration.ofSeconds(10), false);
        LlmSettings unconfigured = new LlmSettings(LlmSettings.OPENAI_BASE_URL, LlmSettings.DUMMY_KEY, defaults);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LlmStartupCheck.verify("llm", unconfigured));
        assertTrue(e.getMessage().contains("quarkus.langchain4j.openai.api-key"), e.getMessage());
        LlmStartupCheck.verify("simulated", unconfigured);
        LlmStartupCheck.verify("llm", new LlmSettings("http://127.0.0.1:11434/v1/", LlmSettings.DUMMY_KEY, defaults));
        LlmStartupCheck.verify("llm", new LlmSettings(LlmSettings.OPENAI_BASE_URL, KEY, defaults));
    }

    @Test
    void jsonAnswersMayComeInACodeFence() {
        assertEquals("{\"a\":1}", JsonAnswers.stripFences("```json\n{\"a\":1}```"));
        assertEquals("{\"a\":1}", JsonAnswers.stripFences("{\"a\":1}"));
    }
}
