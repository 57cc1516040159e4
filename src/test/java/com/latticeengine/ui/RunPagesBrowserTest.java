package com.latticeengine.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.support.Api;
import com.latticeengine.support.Lattice;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web pages in a real headless Chromium against the running service: submit the example
 * lattice through the form, watch it run live, open a fan-in project, cancel another run.
 */
@QuarkusTest
class RunPagesBrowserTest {

    private static final Path EXAMPLE = Path.of("examples", "odras-lattice.json");
    private static final String FAN_IN = "Surveillance Coverage Analysis";
    private static final double TIMEOUT_MS = 60_000;

    private static Browser browser;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void launch() {
        browser = new Browser();
    }

    @AfterAll
    static void shutDown() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void submittedLatticeRunsLiveAndShowsAFanInProjectsInputs() throws Exception {
        Page page = browser.newPage(1600, 1100);
        page.navigate(base + "submit");

        // A bad lattice first: the API's field-named error appears next to the lattice input.
        page.locator("#lattice").fill("{\"projects\":[{\"name\":\"A\",\"layer\":1,\"parent_name\":\"B\"},"
                + "{\"name\":\"B\",\"layer\":1,\"parent_name\":\"A\"}]}");
        page.locator("#requirements").fill("The system shall be checked.");
        page.locator("#submit-button").click();
        assertThat(page.locator("#lattice-messages li.error")).containsText("cycle: A -> B -> A");
        Browser.screenshot(page, "submit-page-error");

        page.locator("#requirements").fill("");
        page.locator("#lattice").fill(Files.readString(EXAMPLE));
        page.locator("#submit-button").click();
        page.waitForURL("**/runs/*");
        page.waitForSelector("body[data-ready=true]");
        page.evaluate("window.loadedOnce = true");

        Locator fanIn = page.locator("#project-list li[data-project='" + FAN_IN + "']");
        assertThat(fanIn).hasAttribute("data-state", "WAITING");
        assertEquals("WAITING", graphState(page, FAN_IN));
        assertThat(fanIn.locator(".waits")).containsText("Mission Planning Software");
        page.waitForFunction("() => lattice.cy.nodes('[state = \"RUNNING\"]').length > 0", null,
                new Page.WaitForFunctionOptions().setTimeout(TIMEOUT_MS));
        Browser.screenshot(page, "run-page-running");

        assertThat(fanIn).hasAttribute("data-state", "SUCCEEDED", new com.microsoft.playwright.assertions
                .LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        assertEquals("SUCCEEDED", graphState(page, FAN_IN));
        assertThat(page.locator("#run-state")).hasText("SUCCEEDED");
        JsonNode example = new ObjectMapper().readTree(EXAMPLE.toFile());
        int projects = example.path("lattice").path("projects").size();
        assertThat(page.locator("#project-list li[data-state=SUCCEEDED]")).hasCount(projects);
        assertEquals(projects, ((Number) page.evaluate(
                "() => lattice.cy.nodes('[state = \"SUCCEEDED\"]').length")).intValue());
        assertTrue((Boolean) page.evaluate("() => window.loadedOnce === true"), "the page was reloaded");

        clickNode(page, FAN_IN);
        assertThat(page.locator("#details-name")).hasText(FAN_IN);
        Locator inputs = page.locator("#details-inputs > li");
        List<String> expected = inputsOf(example, FAN_IN);
        assertThat(inputs).hasCount(expected.size());
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            shown.add(inputs.nth(i).getAttribute("data-input-from") + "/" + inputs.nth(i).getAttribute("data-relation"));
            assertThat(inputs.nth(i).locator(".badge")).hasText("SUCCEEDED");
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(shown));
        assertThat(page.locator("#details-output")).containsText("\"saw_project\"");
        Browser.screenshot(page, "run-page-fan-in-details");
        assertEquals(List.of(), browser.errors(page));
    }

    @Test
    void aRunIsPausedResumedAndCancelledFromItsPage() {
        String runId = Api.submit(Lattice.create()
                .project("Slow", 1, null, Map.of("latency_ms", 60_000))
                .project("After", 2, "Slow"));
        Page page = browser.newPage(1400, 900);
        page.navigate(base + "runs/" + runId);
        page.waitForSelector("body[data-ready=true]");
        assertThat(page.locator("#project-list li[data-project=After]")).hasAttribute("data-state", "WAITING");

        page.locator("#pause-run").click();
        assertThat(page.locator("#run-state")).hasText("PAUSED");
        assertThat(page.locator("#run-times")).containsText("paused (operator)");
        assertThat(page.locator("#pause-run")).isDisabled();
        page.locator("#resume-run").click();
        assertThat(page.locator("#run-state")).hasText("RUNNING");
        assertThat(page.locator("#resume-run")).isDisabled();
        page.locator("#cancel-run").click();

        assertThat(page.locator("#run-state")).hasText("CANCELLED");
        assertThat(page.locator("#project-list li[data-project=Slow]")).hasAttribute("data-state", "CANCELLED");
        assertThat(page.locator("#project-list li[data-project=After]")).hasAttribute("data-state", "CANCELLED");
        assertThat(page.locator("#cancel-run")).isDisabled();
        assertEquals("CANCELLED", Api.run(runId).getString("state"));
        Browser.screenshot(page, "run-page-cancelled");
        assertEquals(List.of(), browser.errors(page));
    }

    /** Project Checked (review always) and its child After; the run's page open once Checked awaits review. */
    private Page openRunAwaitingReview(String runId) {
        Page page = browser.newPage(1400, 900);
        page.navigate(base + "runs/" + runId);
        page.waitForSelector("body[data-ready=true]");
        assertThat(page.locator("#project-list li[data-project=Checked]")).hasAttribute("data-state", "AWAITING_REVIEW",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        return page;
    }

    private static String submitReviewedPair() {
        return Api.submit(Lattice.create()
                .project("Checked", 1, null)
                .field("Checked", "review", Map.of("always", true))
                .project("After", 2, "Checked"));
    }

    @Test
    void aTaskAwaitingReviewStandsOutAndIsApprovedFromItsPage() {
        String runId = submitReviewedPair();
        Page page = openRunAwaitingReview(runId);
        assertEquals("AWAITING_REVIEW", graphState(page, "Checked"));
        assertEquals("rgb(126,34,206)", page.evaluate(
                "() => lattice.cy.getElementById('Checked').style('background-color')"), "its own colour");
        assertThat(page.locator("#legend li[data-legend-state=AWAITING_REVIEW] strong")).hasText("1");
        assertThat(page.locator("#attention-list")).containsText("Checked");
        assertThat(page.locator("#project-list li[data-project=After]")).hasAttribute("data-state", "WAITING");

        page.locator("#attention-list button", new Page.LocatorOptions().setHasText("Checked")).click();
        assertThat(page.locator("#review")).containsText("review.always");
        page.locator("#review-comment").fill("looks right");
        page.locator("#review-approve").click();
        assertThat(page.locator("#run-state")).hasText("SUCCEEDED", new com.microsoft.playwright.assertions
                .LocatorAssertions.HasTextOptions().setTimeout(TIMEOUT_MS));
        assertThat(page.locator("#project-list li[data-project=After]")).hasAttribute("data-state", "SUCCEEDED");
        assertEquals("looks right", Api.task(runId, "Checked").getString("attempts[0].review.comment"));
        Browser.screenshot(page, "run-page-reviewed");
        assertEquals(List.of(), browser.errors(page));
    }

    @Test
    void anOutputEditedOnThePageReplacesTheOriginalAndReachesDownstream() {
        String runId = submitReviewedPair();
        Page page = openRunAwaitingReview(runId);
        page.locator("#attention-list button", new Page.LocatorOptions().setHasText("Checked")).click();
        page.locator("#review-edit-section summary").click();
        assertThat(page.locator("#review-output")).hasValue(Pattern.compile("\\{[\\s\\S]*\\}"));

        page.locator("#review-output").fill("{\"summary\": ");
        page.locator("#review-edit").click();
        assertThat(page.locator("#review p.error")).containsText("not JSON");
        assertEquals("AWAITING_REVIEW", Api.task(runId, "Checked").getString("state"), "nothing was sent");

        page.locator("#review-output").fill("{\"summary\": \"edited by hand\", \"confidence\": 0.9}");
        page.locator("#review-comment").fill("tightened the summary");
        Browser.screenshot(page, "run-page-review-edit");
        page.locator("#review-edit").click();
        assertThat(page.locator("#run-state")).hasText("SUCCEEDED", new com.microsoft.playwright.assertions
                .LocatorAssertions.HasTextOptions().setTimeout(TIMEOUT_MS));
        JsonPath checked = Api.task(runId, "Checked");
        assertEquals("edited by hand", checked.getString("output.summary"));
        assertEquals("edit", checked.getString("attempts[0].review.decision"));
        assertEquals("tightened the summary", checked.getString("attempts[0].review.comment"));
        assertEquals("edited by hand", Api.task(runId, "After").getString("inputs[0].output.summary"),
                "the downstream read the edited output");
        assertEquals(List.of(), browser.errors(page));
    }

    @Test
    void withoutItsEventStreamThePageFallsBackToPollingAndStillSeesTheRunEnd() {
        String runId = Api.submit(Lattice.create()
                .project("First", 1, null, Map.of("latency_ms", 4_000))
                .project("Second", 2, "First"));
        Page page = browser.newPage(1400, 900);
        page.route("**/api/runs/*/events", route -> route.abort());
        page.navigate(base + "runs/" + runId);
        page.waitForSelector("body[data-ready=true]");

        assertThat(page.locator("#live-status")).containsText("polling", new com.microsoft.playwright.assertions
                .LocatorAssertions.ContainsTextOptions().setTimeout(TIMEOUT_MS));
        assertThat(page.locator("#project-list li[data-project=Second]")).hasAttribute("data-state", "SUCCEEDED",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        assertThat(page.locator("#run-state")).hasText("SUCCEEDED");
        assertEquals("SUCCEEDED", graphState(page, "Second"));
        assertThat(page.locator("#live-status")).hasText("run finished");
    }

    private static String graphState(Page page, String name) {
        return (String) page.evaluate("name => lattice.cy.getElementById(name).data('state')", name);
    }

    /** Clicks the project's node on the canvas, where Cytoscape drew it. */
    private static void clickNode(Page page, String name) {
        page.evaluate("name => { lattice.cy.fit(undefined, 30); }", name);
        @SuppressWarnings("unchecked")
        Map<String, Number> at = (Map<String, Number>) page.evaluate(
                "name => lattice.cy.getElementById(name).renderedPosition()", name);
        page.locator("#graph").click(new Locator.ClickOptions()
                .setPosition(at.get("x").doubleValue(), at.get("y").doubleValue()));
    }

    /** "from/relation" of every input link of a project in a submission. */
    private static List<String> inputsOf(JsonNode submission, String name) {
        List<String> inputs = new ArrayList<>();
        for (JsonNode project : submission.path("lattice").path("projects")) {
            if (project.path("name").asText().equals(name) && !project.path("parent_name").isNull()) {
                inputs.add(project.path("parent_name").asText() + "/parent");
            }
        }
        for (JsonNode flow : submission.path("lattice").path("data_flows")) {
            if (flow.path("to_project").asText().equals(name)) {
                inputs.add(flow.path("from_project").asText() + "/data_flow");
            }
        }
        return inputs;
    }
}
