package com.latticeengine.api;

import com.latticeengine.engine.RunSubmission;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.DataFlow;
import com.latticeengine.lattice.InvalidSubmissionException;
import com.latticeengine.lattice.Project;
import com.latticeengine.lattice.Violation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubmissionParserTest {
    private final SubmissionParser parser = new SubmissionParser(new ObjectMapper());

    private static final String PROJECTS = """
            [{"name":"A","layer":1,"parent_name":null,"description":"root"},
             {"name":"B","layer":2,"parent_name":"A"}]""";

    /** Single quotes stand in for double quotes to keep the JSON literals readable. */
    private static String json(String s) {
        return s.replace('\'', '"');
    }

    private RunSubmission parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private List<Violation> violations(String body) {
        return assertThrows(InvalidSubmissionException.class, () -> parse(body)).violations();
    }

    private void assertSingle(String field, String reason, String body) {
        assertEquals(List.of(new Violation(field, reason)), violations(body));
    }

    /** A valid submission with {@code extra} spliced into the top-level object. */
    private static String withTop(String extra) {
        return "{\"requirements\":\"r\",\"lattice\":{\"projects\":" + PROJECTS + "}" + (extra.isEmpty() ? "" : "," + json(extra)) + "}";
    }

    /** A valid submission whose lattice carries the given projects / data_flows JSON. */
    private static String withLattice(String projects, String flows) {
        return json("{'requirements':'r','lattice':{'projects':" + projects + ",'data_flows':" + flows + "}}");
    }

    @Test
    void parsesFullSubmission() {
        RunSubmission s = parse(json("""
                {'requirements':'Build a UAV','processor':'llm','max_attempts':3,'task_timeout_ms':60000,
                 'cache':false,'llm':{'model':'gpt','temperature':0.2},
                 'lattice':{'projects':[
                    {'name':'A','layer':1,'parent_name':null,'description':'root','simulate':true,'tags':['x',1]},
                    {'name':'B','layer':2,'parent_name':'A'}],
                  'data_flows':[{'from_project':'A','to_project':'B','data_type':'requirements','required':false,'note':'ignored'},
                                {'from_project':'A','to_project':'B'}]}}"""));
        assertEquals("Build a UAV", s.requirements());
        assertEquals("llm", s.processor());
        assertEquals(3, s.maxAttempts());
        assertEquals(60000L, s.taskTimeoutMs());
        assertEquals(false, s.cache());
        assertEquals(Map.of("model", "gpt", "temperature", 0.2), s.llm());
        Project a = s.lattice().projects().get(0);
        assertEquals("A", a.name());
        assertEquals(1, a.layer());
        assertNull(a.parentName());
        assertEquals(List.of("name", "layer", "parent_name", "description", "simulate", "tags"), new ArrayList<>(a.fields().keySet()));
        assertTrue(a.fields().containsKey("parent_name"));
        assertNull(a.fields().get("parent_name"));
        assertEquals(true, a.fields().get("simulate"));
        assertEquals(List.of("x", 1), a.fields().get("tags"));
        assertEquals(1, a.fields().get("layer"));
        assertThrows(UnsupportedOperationException.class, () -> a.fields().put("x", 1));
        assertEquals("A", s.lattice().projects().get(1).parentName());
        assertEquals(List.of("A", "A"), s.lattice().dataFlows().stream().map(DataFlow::fromProject).toList());
        assertEquals(Arrays.asList("requirements", null), s.lattice().dataFlows().stream().map(DataFlow::dataType).toList());
        assertEquals(List.of(false, true), s.lattice().dataFlows().stream().map(DataFlow::required).toList());
    }

    @Test
    void optionalsDefaultToNullAndDataFlowsToEmpty() {
        RunSubmission s = parse(withTop("'processor':null,'cache':null"));
        assertNull(s.processor());
        assertNull(s.maxAttempts());
        assertNull(s.taskTimeoutMs());
        assertNull(s.cache());
        assertNull(s.llm());
        assertEquals(List.of(), s.lattice().dataFlows());
        assertEquals(2, s.lattice().projects().size());
    }

    @Test
    void malformedJson() {
        assertSingle("body", "malformed JSON: Unexpected end-of-input within/between Object entries, at line 1 column 17",
                "{\"requirements\":");
    }

    @Test
    void malformedJsonReportsLineAndColumn() {
        List<Violation> v = violations("{\n  \"a\": 1,\n  oops\n}");
        assertEquals(1, v.size());
        assertEquals("body", v.get(0).field());
        assertTrue(v.get(0).reason().startsWith("malformed JSON: Unexpected character ('o'"), v.get(0).reason());
        assertTrue(v.get(0).reason().endsWith(", at line 3 column 3"), v.get(0).reason());
        assertTrue(!v.get(0).reason().contains("[Source"), v.get(0).reason());
    }

    @Test
    void malformedJsonEmbeddedSourceLocationIsTidied() {
        assertSingle("body", "malformed JSON: Unexpected end-of-input: expected close marker for Array"
                + " (start marker at line 1 column 6), at line 1 column 10", "{\"a\":[1,2");
    }

    @Test
    void emptyBodyIsMalformed() {
        List<Violation> v = assertThrows(InvalidSubmissionException.class, () -> parser.parse(new byte[0])).violations();
        assertEquals(1, v.size());
        assertEquals("body", v.get(0).field());
        assertTrue(v.get(0).reason().startsWith("malformed JSON: No content to map due to end-of-input"), v.get(0).reason());
    }

    @Test
    void trailingTokensAreMalformed() {
        List<Violation> v = violations(withTop("") + " {}");
        assertEquals("body", v.get(0).field());
        assertTrue(v.get(0).reason().startsWith("malformed JSON: Trailing token"), v.get(0).reason());
    }

    @Test
    void topLevelNotAnObject() {
        assertSingle("body", "must be a JSON object", "[1,2]");
        assertSingle("body", "must be a JSON object", "null");
        assertSingle("body", "must be a JSON object", "\"text\"");
    }

    @Test
    void requirementsNotAString() {
        assertSingle("requirements", "must be a string", json("{'requirements':5,'lattice':{'projects':[]}}"));
    }

    @Test
    void latticeMissing() {
        assertSingle("lattice", "is required", json("{'requirements':'r'}"));
    }

    @Test
    void latticeNotAnObject() {
        assertSingle("lattice", "must be an object", json("{'requirements':'r','lattice':[]}"));
    }

    @Test
    void projectsNotAnArray() {
        assertSingle("lattice.projects", "must be an array", json("{'requirements':'r','lattice':{'projects':{}}}"));
    }

    @Test
    void projectNotAnObject() {
        assertSingle("lattice.projects[1]", "must be an object", withLattice("[{'name':'A','layer':1},'B']", "[]"));
    }

    @Test
    void projectNameNotAString() {
        assertSingle("lattice.projects[0].name", "must be a string", withLattice("[{'name':7,'layer':1}]", "[]"));
    }

    @Test
    void layerFloatIsNotAnInteger() {
        assertSingle("lattice.projects[0].layer", "must be an integer", withLattice("[{'name':'A','layer':2.0}]", "[]"));
    }

    @Test
    void layerStringIsNotAnInteger() {
        assertSingle("lattice.projects[0].layer", "must be an integer", withLattice("[{'name':'A','layer':'2'}]", "[]"));
    }

    @Test
    void parentNameNotAString() {
        assertSingle("lattice.projects[0].parent_name", "must be a string",
                withLattice("[{'name':'A','layer':1,'parent_name':1}]", "[]"));
    }

    @Test
    void dataFlowsNotAnArray() {
        assertSingle("lattice.data_flows", "must be an array", withLattice("[{'name':'A','layer':1}]", "'x'"));
    }

    @Test
    void dataFlowNotAnObject() {
        assertSingle("lattice.data_flows[0]", "must be an object", withLattice("[{'name':'A','layer':1}]", "[3]"));
    }

    @Test
    void dataFlowFieldTypes() {
        assertEquals(List.of(new Violation("lattice.data_flows[0].from_project", "must be a string"),
                        new Violation("lattice.data_flows[0].to_project", "must be a string"),
                        new Violation("lattice.data_flows[0].data_type", "must be a string"),
                        new Violation("lattice.data_flows[0].required", "must be a boolean")),
                violations(withLattice("[{'name':'A','layer':1}]",
                        "[{'from_project':1,'to_project':[],'data_type':{},'required':'yes'}]")));
    }

    @Test
    void processorNotAString() {
        assertSingle("processor", "must be a string", withTop("'processor':1"));
    }

    @Test
    void maxAttemptsZero() {
        assertSingle("max_attempts", "must be an integer >= 1", withTop("'max_attempts':0"));
    }

    @Test
    void maxAttemptsFloat() {
        assertSingle("max_attempts", "must be an integer >= 1", withTop("'max_attempts':1.5"));
    }

    @Test
    void maxAttemptsTooLarge() {
        assertSingle("max_attempts", "must be an integer between 1 and 2147483647", withTop("'max_attempts':2147483648"));
    }

    @Test
    void taskTimeoutNegative() {
        assertSingle("task_timeout_ms", "must be an integer >= 1", withTop("'task_timeout_ms':-5"));
    }

    @Test
    void taskTimeoutString() {
        assertSingle("task_timeout_ms", "must be an integer >= 1", withTop("'task_timeout_ms':'100'"));
    }

    @Test
    void taskTimeoutAcceptsLong() {
        assertEquals(5_000_000_000L, parse(withTop("'task_timeout_ms':5000000000")).taskTimeoutMs());
    }

    @Test
    void cacheNotABoolean() {
        assertSingle("cache", "must be a boolean", withTop("'cache':'true'"));
    }

    @Test
    void llmNotAnObject() {
        assertSingle("llm", "must be an object", withTop("'llm':'gpt'"));
    }

    @Test
    void unknownTopLevelField() {
        assertSingle("priority", "unknown field", withTop("'priority':1"));
    }

    @Test
    void extraLatticeKeysAreKeptAsMetadataInOrder() {
        RunSubmission s = parse(json("""
                {'requirements':'r','lattice':{'analysis_summary':'UAV','confidence':0.8,'domains':['a','b'],
                 'projects':[{'name':'A','layer':0}],'lattice_type':null}}"""));
        assertEquals(List.of("analysis_summary", "confidence", "domains", "lattice_type"),
                new ArrayList<>(s.lattice().metadata().keySet()));
        assertEquals(0.8, s.lattice().metadata().get("confidence"));
        assertEquals(List.of("a", "b"), s.lattice().metadata().get("domains"));
        assertNull(s.lattice().metadata().get("lattice_type"));
        assertEquals(0, s.lattice().projects().get(0).layer());
    }

    @Test
    void promptsAndContextAreKeptForTheProcessor() {
        RunSubmission s = parse(withTop("'prompts':{'system':'S {{project.name}}','user':'U'},'context':{'k':[1]}"));
        assertEquals(Map.of("system", "S {{project.name}}", "user", "U"), s.prompts());
        assertEquals(Map.of("k", List.of(1)), s.context());
    }

    @Test
    void promptsAndContextAreTypeChecked() {
        assertEquals(List.of(new Violation("prompts.assistant", "unknown field; known: system, user"),
                        new Violation("prompts.user", "must be a non-empty string (a Mustache template)"),
                        new Violation("context", "must be an object")),
                violations(withTop("'prompts':{'assistant':'x','user':3},'context':[1]")));
    }

    @Test
    void theSubmissionsOwnTopLevelStaysStrict() {
        assertSingle("lattice_metadata", "unknown field", withTop("'lattice_metadata':{}"));
    }

    @Test
    void extraDataFlowFieldsAreKept() {
        RunSubmission s = parse(withLattice(PROJECTS, """
                [{'from_project':'A','to_project':'B','data_type':'d','description':'why','trigger_event':'a.done'}]"""));
        assertEquals(List.of("from_project", "to_project", "data_type", "description", "trigger_event"),
                new ArrayList<>(s.lattice().dataFlows().get(0).fields().keySet()));
        assertEquals("a.done", s.lattice().dataFlows().get(0).fields().get("trigger_event"));
    }

    @Test
    void negativeLayerIsRejected() {
        assertSingle("lattice.projects[0].layer", "must be an integer >= 0",
                json("{'requirements':'r','lattice':{'projects':[{'name':'A','layer':-1}]}}"));
    }

    @Test
    void warningsComeWithTheSubmission() {
        RunSubmission s = parse(json("""
                {'requirements':'r','lattice':{'projects':[{'name':'A','layer':1,'subscribes_to':['ontology.published']}]}}"""));
        assertEquals(1, s.warnings().size());
        assertEquals("lattice.projects[0].subscribes_to[0]", s.warnings().get(0).field());
    }

    @Test
    void typeViolationsAreAllReportedAndSuppressSemanticChecks() {
        // requirements is missing (semantic) but only the type problems are reported.
        assertEquals(List.of(new Violation("extra", "unknown field"),
                        new Violation("lattice.projects[0].layer", "must be an integer"),
                        new Violation("cache", "must be a boolean")),
                violations(json("{'extra':1,'lattice':{'projects':[{'name':'A','layer':'1'}]},'cache':1}")));
    }

    @Test
    void semanticViolationsComeFromValidator() {
        assertEquals(List.of(new Violation("requirements", "is required"),
                        new Violation("lattice.projects[1].parent_name", "unknown project 'Z'")),
                violations(json("{'lattice':{'projects':[{'name':'A','layer':1},{'name':'B','layer':1,'parent_name':'Z'}]}}")));
    }

    @Test
    void emptyProjectsIsSemanticViolation() {
        assertSingle("lattice.projects", "must contain at least one project", json("{'requirements':'r','lattice':{}}"));
    }

    @Test
    void cycleIsReported() {
        assertSingle("lattice", "cycle: A -> B -> A", withLattice("[{'name':'A','layer':1,'parent_name':'B'},{'name':'B','layer':1}]",
                "[{'from_project':'A','to_project':'B'}]"));
    }

    @Test
    void duplicateKeysAreMalformed() {
        List<Violation> v = violations("{\"requirements\":\"a\",\"requirements\":\"b\"}");
        assertEquals("body", v.get(0).field());
        assertTrue(v.get(0).reason().startsWith("malformed JSON: Duplicate field 'requirements'"), v.get(0).reason());
    }

    @Test
    void exceptionMessageJoinsViolations() {
        InvalidSubmissionException e = new InvalidSubmissionException(
                List.of(new Violation("a", "is required"), new Violation("b.c", "must be a string")));
        assertEquals("a: is required; b.c: must be a string", e.getMessage());
    }

    @Test
    void projectFieldsPreserveOrderOfExtras() {
        RunSubmission s = parse(withLattice("[{'zeta':1,'name':'A','alpha':{'k':[1,2]},'layer':1}]", "null"));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("zeta", 1);
        expected.put("name", "A");
        expected.put("alpha", Map.of("k", List.of(1, 2)));
        expected.put("layer", 1);
        assertEquals(expected, s.lattice().projects().get(0).fields());
        assertEquals(List.of("zeta", "name", "alpha", "layer"), new ArrayList<>(s.lattice().projects().get(0).fields().keySet()));
    }
}
