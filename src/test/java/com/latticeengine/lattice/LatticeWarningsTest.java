package com.latticeengine.lattice;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatticeWarningsTest {

    private static Project p(String name, String parent, Map<String, Object> extra) {
        Map<String, Object> fields = new LinkedHashMap<>(extra);
        fields.put("name", name);
        return new Project(name, 1, parent, fields);
    }

    @Test
    void aTopicNobodyPublishesIsAWarning() {
        Lattice lattice = new Lattice(List.of(
                p("A", null, Map.of("publishes", List.of("mission.defined"))),
                p("B", "A", Map.of("subscribes_to", List.of("Mission.Defined ", "ontology.published")))), List.of());
        assertEquals(List.of(new Warning("lattice.projects[1].subscribes_to[1]",
                "no project publishes 'ontology.published'")), LatticeWarnings.of(lattice));
    }

    @Test
    void anInputIsProducedByTheParentsOutputsOrAnIncomingFlowsDataType() {
        Lattice lattice = new Lattice(List.of(
                p("A", null, Map.of("outputs", List.of("Mission Needs"), "inputs", List.of("Stakeholder interviews"))),
                p("X", null, Map.of("outputs", List.of("threat model"))),
                p("B", "A", Map.of("inputs", List.of("mission needs", "scenarios", "threat model", "cost data")))),
                List.of(new DataFlow("X", "B", "scenarios", true)));
        assertEquals(List.of(
                new Warning("lattice.projects[0].inputs[0]", "no upstream project of 'A' produces"
                        + " 'Stakeholder interviews' (in its outputs[] or as a data flow's data_type)"),
                new Warning("lattice.projects[2].inputs[3]", "no upstream project of 'B' produces"
                        + " 'cost data' (in its outputs[] or as a data flow's data_type)")), LatticeWarnings.of(lattice));
    }

    @Test
    void entriesThatAreNotStringsAreIgnored() {
        Lattice lattice = new Lattice(List.of(p("A", null, Map.of("inputs", List.of(1, Map.of()),
                "subscribes_to", "not-a-list"))), List.of());
        assertEquals(List.of(), LatticeWarnings.of(lattice));
    }
}
