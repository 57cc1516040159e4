package com.latticeengine.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.engine.RunSubmission;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.lattice.Violation;
import com.latticeengine.store.WebhookEvent;
import com.latticeengine.webhooks.AddressGuard;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The submission's callback field, parsed as in prod (private addresses refused). */
class CallbackParserTest {

    private final SubmissionParser parser = new SubmissionParser(new ObjectMapper());

    private static String submission(String callback) {
        return ("{'requirements':'r','lattice':{'projects':[{'name':'A','layer':1,'parent_name':null}]}"
                + (callback == null ? "" : ",'callback':" + callback) + "}").replace('\'', '"');
    }

    private RunSubmission parse(SubmissionParser p, String callback) {
        return p.parse(submission(callback).getBytes(StandardCharsets.UTF_8));
    }

    private List<Violation> violations(String callback) {
        return assertThrows(InvalidSubmissionException.class, () -> parse(parser, callback)).violations();
    }

    @Test
    void urlAndEventsAreKeptAndRunFinishedIsTheDefault() {
        RunSubmission s = parse(parser, "{'url':'https://93.184.216.34/hooks','events':['run.paused','task.awaiting_review']}");
        assertEquals("https://93.184.216.34/hooks", s.callback().url());
        assertEquals(List.of(WebhookEvent.RUN_PAUSED, WebhookEvent.TASK_AWAITING_REVIEW), s.callback().events());
        assertEquals(List.of(WebhookEvent.RUN_FINISHED), parse(parser, "{'url':'http://93.184.216.34/'}").callback().events());
        assertNull(parse(parser, null).callback());
        assertNull(parse(parser, "null").callback());
    }

    @Test
    void aCallbacksOwnSecretIsKeptButNeitherEchoedInAnErrorNorPrinted() {
        String secret = "tenant-a-receiver-secret-0123456789";
        RunSubmission s = parse(parser, "{'url':'https://93.184.216.34/hooks','secret':'" + secret + "'}");
        assertEquals(secret, s.callback().secret());
        assertFalse(s.callback().toString().contains(secret), s.callback().toString());
        assertNull(parse(parser, "{'url':'https://93.184.216.34/hooks'}").callback().secret());

        String tooShort = "short-secret";
        Violation refused = violations("{'url':'https://93.184.216.34/','secret':'" + tooShort + "'}").get(0);
        assertEquals(new Violation("callback.secret", "must be a string of 16 to 256 characters"), refused);
        assertEquals("callback.secret", violations("{'url':'https://93.184.216.34/','secret':42}").get(0).field());
        assertEquals("callback.secret", violations("{'url':'https://93.184.216.34/','secret':'"
                + "x".repeat(257) + "'}").get(0).field());
        assertEquals("callback.secret", violations("{'url':'https://93.184.216.34/','secret':'"
                + " ".repeat(20) + "'}").get(0).field());
    }

    @Test
    void anUnknownEventIsNamedByItsIndex() {
        assertEquals(List.of(new Violation("callback.events[1]",
                        "unknown event 'run.done'; known: run.finished, run.paused, task.awaiting_review")),
                violations("{'url':'https://93.184.216.34/','events':['run.finished','run.done']}"));
        assertEquals("callback.events[1]", violations("{'url':'https://93.184.216.34/','events':['run.paused',3]}")
                .get(0).field());
        assertEquals(List.of(new Violation("callback.events[1]", "repeats 'run.paused'")),
                violations("{'url':'https://93.184.216.34/','events':['run.paused','run.paused']}"));
        assertEquals("callback.events", violations("{'url':'https://93.184.216.34/','events':[]}").get(0).field());
        assertEquals("callback.events", violations("{'url':'https://93.184.216.34/','events':'run.finished'}").get(0).field());
    }

    @Test
    void aBadOrPrivateUrlIsNamedWithTheReason() {
        assertEquals(List.of(new Violation("callback.url", "must be an http or https URL")),
                violations("{'url':'ftp://93.184.216.34/x'}"));
        assertEquals(List.of(new Violation("callback.url", "is required")), violations("{'events':['run.finished']}"));
        assertEquals(List.of(new Violation("callback.url", "must be a string")), violations("{'url':42}"));
        Violation loopback = violations("{'url':'http://127.0.0.1:8080/hook'}").get(0);
        assertEquals("callback.url", loopback.field());
        assertTrue(loopback.reason().contains("loopback"), loopback.reason());
        assertTrue(violations("{'url':'http://[fd00::1]/hook'}").get(0).reason().contains("unique local"));
        assertTrue(violations("{'url':'http://169.254.169.254/latest/meta-data'}").get(0).reason().contains("link-local"));
    }

    @Test
    void unknownFieldsAndNonObjectsAreRefused() {
        assertEquals(List.of(new Violation("callback.token", "unknown field; known: url, events, secret")),
                violations("{'url':'https://93.184.216.34/','token':'x'}"));
        assertEquals(List.of(new Violation("callback", "must be an object {url, events, secret}")), violations("'https://x'"));
    }

    @Test
    void aServerWithoutAWebhookSecretRefusesCallbacks() {
        SubmissionParser off = new SubmissionParser(new ObjectMapper(), SubmissionLimits.none(),
                new CallbackParser(new AddressGuard(false), false));
        InvalidSubmissionException e = assertThrows(InvalidSubmissionException.class,
                () -> parse(off, "{'url':'https://93.184.216.34/'}"));
        assertEquals(List.of(new Violation("callback", "this server sends no webhooks (lattice.webhooks.secret is not set)")),
                e.violations());
        assertNull(parse(off, null).callback());
    }
}
