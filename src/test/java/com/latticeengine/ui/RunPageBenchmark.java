package com.latticeengine.ui;

import com.latticeengine.support.Lattice;
import com.latticeengine.support.WorkerDisabledProfile;
import com.microsoft.playwright.Page;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;

/**
 * The run page with a 2,000-project lattice, measured in headless Chromium: how long the graph
 * endpoint and the page take to load, and what 200 state updates cost. Run by hand (the name is
 * not a test's, so CI skips it); the figures go to docs/BENCHMARKS.md:
 *
 * <pre>
 * LATTICE_TEST_DB_URL=jdbc:postgresql://127.0.0.1:5432/lattice_test ./mvnw -B -q verify -Dtest=RunPageBenchmark \
 *   -Dbench=run-page -Dit.test=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Without {@code -Dbench=run-page} it does nothing: a test selection by exclusion
 * ({@code -Dit.test='!SomeIT'}) picks up every class, this one included.
 *
 * The worker is off so that no state changes while the page is measured; the updates are fed
 * to the page's own event handler, the one the event stream calls.
 */
@QuarkusTest
@TestProfile(WorkerDisabledProfile.class)
@EnabledIfSystemProperty(named = "bench", matches = "run-page")
class RunPageBenchmark {

    static final int PROJECTS = 2000;
    static final int LAYERS = 20;
    static final int UPDATES = 200;
    static final int ROUNDS = 5;

    @TestHTTPResource("/")
    URL base;

    @Test
    void measure() throws Exception {
        List<String> report = new ArrayList<>();
        String runId = given().contentType(ContentType.JSON).body(lattice(new Random(2000)).body())
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        String graph = given().get("/api/runs/" + runId + "/graph").then().statusCode(200).extract().asString();
        report.add(String.format(Locale.ROOT, "lattice: %d projects in %d layers, %d links; graph JSON %d KB",
                PROJECTS, LAYERS, io.restassured.path.json.JsonPath.from(graph).getList("edges").size(),
                graph.length() / 1024));
        // The call above laid the run out; a second run of the same shape measures a cold layout.
        String coldRun = given().contentType(ContentType.JSON).body(lattice(new Random(2000)).body())
                .when().post("/api/runs").then().statusCode(201).extract().path("id");
        long t = System.nanoTime();
        given().get("/api/runs/" + coldRun + "/graph").then().statusCode(200);
        double coldGraphMs = (System.nanoTime() - t) / 1e6;
        double[] warmGraphMs = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            t = System.nanoTime();
            given().get("/api/runs/" + runId + "/graph").then().statusCode(200);
            warmGraphMs[i] = (System.nanoTime() - t) / 1e6;
        }
        report.add(String.format(Locale.ROOT, "GET graph: first (ELK layout) %.0f ms, cached median %.0f ms",
                coldGraphMs, median(warmGraphMs)));

        try (Browser browser = new Browser()) {
            double[] loads = new double[ROUNDS];
            double[] updates = new double[ROUNDS];
            double[] flushes = new double[ROUNDS];
            double[] redraws = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                Page page = browser.newPage(1600, 1000);
                page.navigate(base + "runs/" + runId);
                page.waitForSelector("body[data-ready=true]", new Page.WaitForSelectorOptions().setTimeout(120_000));
                loads[round] = ((Number) page.evaluate(
                        "() => performance.getEntriesByName('lattice-ready')[0].startTime")).doubleValue();
                assertThat(page.locator("#project-list li[data-project]")).hasCount(PROJECTS);
                page.waitForTimeout(500);
                Object measured = page.evaluate(UPDATE_SCRIPT, List.of(UPDATES, round));
                List<?> both = (List<?>) measured;
                updates[round] = ((Number) both.get(0)).doubleValue();
                flushes[round] = ((Number) both.get(1)).doubleValue();
                assertThat(page.locator("#project-list li[data-state=RUNNING]")).hasCount(UPDATES);
                redraws[round] = ((Number) page.evaluate(REDRAW_SCRIPT, List.of(UPDATES, round))).doubleValue();
                if (round == 0) {
                    page.screenshot(new Page.ScreenshotOptions().setPath(Browser.SCREENSHOTS.resolve("run-page-2000.png")));
                }
                page.context().close();
            }
            report.add(String.format(Locale.ROOT, "page load (navigation to graph drawn, list filled, layout cached):"
                    + " median %.0f ms, min %.0f, max %.0f", median(loads), min(loads), max(loads)));
            report.add(String.format(Locale.ROOT, "%d state updates through the event handler: applied in median"
                    + " %.1f ms (min %.1f, max %.1f); until the next frame is painted: median %.1f ms (min %.1f,"
                    + " max %.1f)", UPDATES, median(flushes), min(flushes), max(flushes), median(updates),
                    min(updates), max(updates)));
            report.add(String.format(Locale.ROOT, "the graph's part: %d nodes recoloured straight in Cytoscape, until"
                    + " the next frame: median %.1f ms (min %.1f, max %.1f)", UPDATES, median(redraws), min(redraws),
                    max(redraws)));
        }
        Path out = Path.of("target", "benchmarks", "run-page.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        report.forEach(line -> System.out.println("RunPageBenchmark: " + line));
    }

    /**
     * 200 projects go RUNNING through lattice.onEvent, as the stream delivers them; [until the
     * second animation frame after the last event, time spent in the flush itself].
     */
    private static final String UPDATE_SCRIPT = """
            async ([count, round]) => {
              const names = lattice.model.names.filter((n, i) => i % 10 === round % 10).slice(0, count);
              const flush = lattice.flush.bind(lattice);
              let flushMs = 0;
              lattice.flush = () => { const t = performance.now(); flush(); flushMs += performance.now() - t; };
              const start = performance.now();
              for (const name of names) {
                lattice.onEvent({ type: 'task', data: { task_name: name, state: 'RUNNING' } });
              }
              await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
              const total = performance.now() - start;
              lattice.flush = flush;
              return [total, flushMs];
            }
            """;

    /** The same 200 projects back to READY in the graph only (no list, legend or model): the canvas redraw. */
    private static final String REDRAW_SCRIPT = """
            async ([count, round]) => {
              const names = lattice.model.names.filter((n, i) => i % 10 === round % 10).slice(0, count);
              const start = performance.now();
              lattice.cy.batch(() => names.forEach((n) => lattice.cy.getElementById(n).data('state', 'READY')));
              await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
              return performance.now() - start;
            }
            """;

    /** Layers of 100 projects; each has a parent one layer up and, six times in ten, a data flow from one or two layers up. */
    static Lattice lattice(Random random) {
        Lattice lattice = Lattice.create();
        int perLayer = PROJECTS / LAYERS;
        for (int i = 0; i < PROJECTS; i++) {
            int layer = i / perLayer;
            String parent = layer == 0 ? null : "P" + ((layer - 1) * perLayer + random.nextInt(perLayer));
            lattice.project("P" + i, layer + 1, parent);
        }
        for (int i = perLayer; i < PROJECTS; i++) {
            if (random.nextInt(10) < 6) {
                int layer = i / perLayer;
                int from = Math.max(0, layer - 1 - random.nextInt(2)) * perLayer + random.nextInt(perLayer);
                lattice.flow("P" + from, "P" + i, "data_" + random.nextInt(40));
            }
        }
        return lattice;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
