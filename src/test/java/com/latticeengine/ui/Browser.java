package com.latticeengine.ui;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Debian's Chromium (scripts/ensure-chromium) driven headless by Playwright for Java. Playwright's
 * own browser downloads are switched off: only its driver, which comes from Maven, is used.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;
    private final Map<Page, List<String>> errors = new ConcurrentHashMap<>();

    Browser() {
        Path chromium = Path.of(System.getenv().getOrDefault("LATTICE_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            throw new IllegalStateException(chromium + " is missing: run scripts/ensure-chromium");
        }
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(chromium)
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync")));
    }

    /** A new page in its own context (own sessionStorage); its console errors and uncaught exceptions are kept. */
    Page newPage(int width, int height) {
        Page page = browser.newContext(new NewContextOptions().setViewportSize(width, height)).newPage();
        List<String> errors = new CopyOnWriteArrayList<>();
        page.onConsoleMessage(message -> {
            // A 4xx answer the page shows (a refused submission, say) is logged too: not an error of the page.
            if ("error".equals(message.type()) && !message.text().startsWith("Failed to load resource: the server "
                    + "responded with a status of 4")) {
                errors.add("console: " + message.text());
            }
        });
        page.onPageError(error -> errors.add("uncaught: " + error));
        this.errors.put(page, errors);
        return page;
    }

    /** What went wrong in the page so far: a refused script or style (CSP) shows up here too. */
    List<String> errors(Page page) {
        return List.copyOf(errors.get(page));
    }

    static Path screenshot(Page page, String name) {
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
