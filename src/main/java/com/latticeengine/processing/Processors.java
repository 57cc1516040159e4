package com.latticeengine.processing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The processors this service offers, by the name a submission uses. */
@ApplicationScoped
public class Processors {

    private final Map<String, Processor> byName = new TreeMap<>();

    public Processors(Instance<Processor> processors) {
        processors.forEach(p -> byName.put(p.name(), p));
    }

    public Optional<Processor> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
