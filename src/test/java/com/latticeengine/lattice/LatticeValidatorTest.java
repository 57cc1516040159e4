package com.latticeengine.lattice;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatticeValidatorTest {

    private static Project p(String name, Integer layer, String parent) {
        return new Project(name, layer, parent, Map.of());
    }

    private static DataFlow f(String from, String to, String type) {
        return new DataFlow(from, to, type, true);
    }

    private static Lattice lattice(List<Project> projects, DataFlow... flows) {
        return new Lattice(projects, Arrays.asList(flows));
    }

    private static final Lattice VALID = lattice(
            List.of(p("A", 1, null), p("B", 2, "A"), p("C", 2, null)),
            f("A", "C", "requirements"), f("B", "C", "design"));

    private static void assertSingle(String field, String reason, String requirements, Lattice lattice) {
        assertEquals(List.of(new Violation(field, reason)), LatticeValidator.validate(requirements, lattice));
    }

    @Test
    void validLatticeHasNoViolations() {
        assertEquals(List.of(), LatticeValidator.validate("build a drone", VALID));
    }

    @Test
    void requirementsNull() {
        assertSingle("requirements", "is required", null, VALID);
    }

    @Test
    void requirementsBlank() {
        assertSingle("requirements", "must not be blank", "  \n", VALID);
    }

    @Test
    void latticeNull() {
        assertSingle("lattice", "is required", "r", null);
    }

    @Test
    void projectsEmpty() {
        assertSingle("lattice.projects", "must contain at least one project", "r", lattice(List.of()));
    }

    @Test
    void projectsNull() {
        assertSingle("lattice.projects", "must contain at least one project", "r", new Lattice(null, null));
    }

    @Test
    void nameMissing() {
        assertSingle("lattice.projects[1].name", "is required", "r", lattice(List.of(p("A", 1, null), p(null, 1, null))));
    }

    @Test
    void nameBlank() {
        assertSingle("lattice.projects[0].name", "is required", "r", lattice(List.of(p(" ", 1, null))));
    }

    @Test
    void duplicateName() {
        assertSingle("lattice.projects[2].name", "duplicate project name 'A' (first at lattice.projects[0])", "r",
                lattice(List.of(p("A", 1, null), p("B", 1, null), p("A", 2, null))));
    }

    @Test
    void layerMissing() {
        assertSingle("lattice.projects[0].layer", "is required", "r", lattice(List.of(p("A", null, null))));
    }

    @Test
    void layerZeroIsOdrasFoundationLayer() {
        assertEquals(List.of(), LatticeValidator.validate("r", lattice(List.of(p("A", 0, null), p("B", 1, "A")))));
    }

    @Test
    void layerNegative() {
        assertSingle("lattice.projects[1].layer", "must be an integer >= 0", "r",
                lattice(List.of(p("A", 1, null), p("B", -3, null))));
    }

    @Test
    void unknownParent() {
        assertSingle("lattice.projects[0].parent_name", "unknown project 'Z'", "r", lattice(List.of(p("A", 1, "Z"))));
    }

    @Test
    void ownParent() {
        assertSingle("lattice.projects[0].parent_name", "a project cannot be its own parent", "r",
                lattice(List.of(p("A", 1, "A"))));
    }

    @Test
    void flowFromMissing() {
        assertSingle("lattice.data_flows[0].from_project", "is required", "r",
                lattice(List.of(p("A", 1, null)), f(null, "A", "x")));
    }

    @Test
    void flowToBlank() {
        assertSingle("lattice.data_flows[0].to_project", "is required", "r",
                lattice(List.of(p("A", 1, null)), f("A", "", "x")));
    }

    @Test
    void flowFromUnknown() {
        assertSingle("lattice.data_flows[0].from_project", "unknown project 'Q'", "r",
                lattice(List.of(p("A", 1, null)), f("Q", "A", "x")));
    }

    @Test
    void flowToUnknown() {
        assertSingle("lattice.data_flows[1].to_project", "unknown project 'Q'", "r",
                lattice(List.of(p("A", 1, null), p("B", 1, null)), f("A", "B", "x"), f("A", "Q", "x")));
    }

    @Test
    void flowSelfDependency() {
        assertSingle("lattice.data_flows[0]", "project 'A' cannot depend on itself", "r",
                lattice(List.of(p("A", 1, null)), f("A", "A", "x")));
    }

    @Test
    void duplicateFlow() {
        assertSingle("lattice.data_flows[2]",
                "duplicate data flow: same from_project, to_project and data_type as lattice.data_flows[0]", "r",
                lattice(List.of(p("A", 1, null), p("B", 2, null)), f("A", "B", "req"), f("A", "B", "design"), f("A", "B", "req")));
    }

    @Test
    void duplicateFlowWithNullDataType() {
        assertSingle("lattice.data_flows[1]",
                "duplicate data flow: same from_project, to_project and data_type as lattice.data_flows[0]", "r",
                lattice(List.of(p("A", 1, null), p("B", 2, null)), f("A", "B", null), f("A", "B", null)));
    }

    @Test
    void nullAndNonNullDataTypeAreDistinctFlows() {
        assertEquals(List.of(), LatticeValidator.validate("r",
                lattice(List.of(p("A", 1, null), p("B", 2, null)), f("A", "B", null), f("A", "B", "req"))));
    }

    @Test
    void cycleThroughDataFlows() {
        assertSingle("lattice", "cycle: A -> B -> C -> A", "r",
                lattice(List.of(p("A", 1, null), p("B", 2, null), p("C", 3, null)),
                        f("A", "B", "x"), f("B", "C", "x"), f("C", "A", "x")));
    }

    @Test
    void cycleMixingParentAndFlowEdgesIsInDependencyOrder() {
        // B's parent is A (A -> B); C's parent is B (B -> C); flow C -> A closes the loop.
        // The cycle starts at its earliest-submitted member (C) and follows upstream -> downstream.
        assertSingle("lattice", "cycle: C -> A -> B -> C", "r",
                lattice(List.of(p("C", 3, "B"), p("B", 2, "A"), p("X", 1, null), p("A", 1, null)),
                        f("X", "A", "x"), f("C", "A", "x")));
    }

    @Test
    void twoNodeCycle() {
        assertSingle("lattice", "cycle: A -> B -> A", "r",
                lattice(List.of(p("A", 1, "B"), p("B", 1, null)), f("A", "B", "x")));
    }

    @Test
    void cycleCheckIgnoresBadEdgesAndDoesNotCrash() {
        List<Violation> v = LatticeValidator.validate("r", lattice(
                List.of(p("A", 1, "A"), p("B", 1, "Nope"), p("A", 2, "B"), p(null, 1, "A")),
                f("A", "A", "x"), f("A", null, "x"), f("Ghost", "B", "x")));
        assertEquals(List.of(
                new Violation("lattice.projects[0].parent_name", "a project cannot be its own parent"),
                new Violation("lattice.projects[1].parent_name", "unknown project 'Nope'"),
                new Violation("lattice.projects[2].name", "duplicate project name 'A' (first at lattice.projects[0])"),
                new Violation("lattice.projects[3].name", "is required"),
                new Violation("lattice.data_flows[0]", "project 'A' cannot depend on itself"),
                new Violation("lattice.data_flows[1].to_project", "is required"),
                new Violation("lattice.data_flows[2].from_project", "unknown project 'Ghost'")), v);
    }

    @Test
    void nullElementsAreReportedNotThrown() {
        List<Project> projects = new ArrayList<>();
        projects.add(p("A", 1, null));
        projects.add(null);
        List<DataFlow> flows = new ArrayList<>();
        flows.add(null);
        assertEquals(List.of(new Violation("lattice.projects[1]", "must be an object"),
                        new Violation("lattice.data_flows[0]", "must be an object")),
                LatticeValidator.validate("r", new Lattice(projects, flows)));
    }

    @Test
    void reportsAllViolationsTogether() {
        List<Violation> v = LatticeValidator.validate(" ", lattice(List.of(p("A", -1, "Z"))));
        assertEquals(List.of(new Violation("requirements", "must not be blank"),
                new Violation("lattice.projects[0].layer", "must be an integer >= 0"),
                new Violation("lattice.projects[0].parent_name", "unknown project 'Z'")), v);
    }

    @Test
    void longChainCycleDoesNotOverflow() {
        int n = 20_000;
        List<Project> projects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            projects.add(p("P" + i, 1, i == 0 ? null : "P" + (i - 1)));
        }
        List<Violation> v = LatticeValidator.validate("r", lattice(projects, f("P" + (n - 1), "P0", "x")));
        assertEquals(1, v.size());
        assertEquals("lattice", v.get(0).field());
        String reason = v.get(0).reason();
        assertEquals(true, reason.startsWith("cycle: P0 -> P1 -> P2 -> "), reason.substring(0, 40));
        assertEquals(true, reason.endsWith("P19998 -> P19999 -> P0"));
    }
}
