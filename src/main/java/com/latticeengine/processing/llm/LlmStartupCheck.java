package com.latticeengine.processing.llm;

import com.latticeengine.config.LatticeConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** With {@code lattice.processor.default=llm}, an unconfigured endpoint stops the service at startup. */
@ApplicationScoped
public class LlmStartupCheck {

    void check(@Observes StartupEvent event, LatticeConfig config, LlmSettings settings) {
        verify(config.processor().defaultName(), settings);
    }

    static void verify(String defaultProcessor, LlmSettings settings) {
        if (LlmProcessor.NAME.equals(defaultProcessor) && !settings.configured()) {
            throw new IllegalStateException("lattice.processor.default=llm but " + LlmSettings.missingConfigMessage());
        }
    }
}
