package com.latticeengine.ui;

import com.latticeengine.support.AuthEnabledProfile;
import com.latticeengine.support.Lattice;
import com.microsoft.playwright.Page;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With authentication on, the pages ask once for a key or token, keep it for the tab only, and
 * offer actions only to roles that may take them. Shares AuthEnabledProfile with the other auth tests.
 */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class SignInBrowserTest {

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
    void aViewerSignsInOnceWithAKeyAndMayOnlyRead() {
        String runId = submitAsOperator();
        Page page = browser.newPage(1400, 900);
        page.navigate(base.toString());

        assertThat(page.locator("#credential-dialog")).isVisible();
        page.locator("#credential-value").fill(AuthEnabledProfile.VIEWER_ACME);
        page.locator("#credential-dialog button[type=submit]").click();

        assertThat(page.locator("tr[data-run-id='" + runId + "']")).isVisible();
        assertThat(page.locator("th.tenant-column")).isHidden();
        assertEquals("{\"kind\":\"key\",\"value\":\"" + AuthEnabledProfile.VIEWER_ACME + "\"}",
                page.evaluate("sessionStorage.getItem('lattice.credential')"));
        assertNull(page.evaluate("localStorage.getItem('lattice.credential')"));

        page.locator("tr[data-run-id='" + runId + "'] a").click();
        page.waitForSelector("body[data-ready=true]");
        assertThat(page.locator("#credential-dialog")).isHidden();
        assertThat(page.locator("#cancel-run")).isHidden();
        assertThat(page.locator("#read-only")).isVisible();
        assertThat(page.locator("#project-list li[data-project=A]")).hasAttribute("data-state", "RUNNING");
        Browser.screenshot(page, "run-page-viewer");
        assertEquals(List.of(), browser.errors(page));
    }

    @Test
    void anOperatorSignsInWithATokenAndCancels() {
        String runId = submitAsOperator();
        Page page = browser.newPage(1400, 900);
        page.navigate(base + "runs/" + runId);

        page.locator("#credential-kind").selectOption("token");
        page.locator("#credential-value").fill(AuthEnabledProfile.jwt("olga", "operator", "acme"));
        page.locator("#credential-dialog button[type=submit]").click();
        page.waitForSelector("body[data-ready=true]");
        page.locator("#cancel-run").click();

        assertThat(page.locator("#run-state")).hasText("CANCELLED");
        assertThat(page.locator("#project-list li[data-project=A]")).hasAttribute("data-state", "CANCELLED");
        assertEquals(List.of(), browser.errors(page));
    }

    private static String submitAsOperator() {
        return given().header("X-API-Key", AuthEnabledProfile.OPERATOR_ACME).contentType(ContentType.JSON)
                .body(Lattice.create().project("A", 1, null, Map.of("latency_ms", 60_000)).body())
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
    }
}
