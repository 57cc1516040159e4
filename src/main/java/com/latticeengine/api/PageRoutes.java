package com.latticeengine.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;

/**
 * The web pages' addresses. The pages themselves are static files built by the Web Bundler from
 * src/main/resources/web (index.html at /, run.html, submit.html); a run page's address carries
 * the run id, which its script reads, so every /runs/{id} serves the same run.html.
 */
public class PageRoutes {

    void routes(@Observes Router router) {
        router.getWithRegex("/runs/[^/]+/?").handler(context -> context.reroute("/run.html"));
        router.get("/submit").handler(context -> context.reroute("/submit.html"));
    }
}
