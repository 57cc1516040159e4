package com.latticeengine.processing.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.latticeengine.lattice.DataFlow;
import com.latticeengine.lattice.Lattice;
import com.latticeengine.lattice.Project;
import com.latticeengine.lattice.Violation;
import com.latticeengine.processing.TaskContext;
import com.latticeengine.processing.TaskInput;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OutputSpec JSON_SPEC = new OutputSpec(true, null, false, 0);
    private final PromptRenderer defaults = new PromptRenderer(JSON, "SYSTEM {{output_format}}", "USER {{requirements}}");

    private static Map<String, Object> runOptions(String system, String user, Map<String, Object> context) {
        Map<String, Object> prompts = new LinkedHashMap<>();
        if (system != null) {
            prompts.put("system", system);
        }
        prompts.put("user", user);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("prompts", prompts);
        options.put("context", context);
        return options;
    }

    private static TaskInput input(String from, String relation, String dataType, String outputJson) throws Exception {
        return new TaskInput(from, relation, dataType, true, JSON.readTree(outputJson), null,
                Map.of("description", "flow from " + from));
    }

    private static TaskContext task(Map<String, Object> options, boolean terminal, List<TaskInput> inputs) {
        Map<String, Object> project = new LinkedHashMap<>();
        project.put("name", "Selection");
        project.put("layer", 3);
        project.put("processing_type", "evaluation");
        return new TaskContext(null, "The UAV shall {{context}} fly.", "Selection", project, inputs, 1, options,
                terminal);
    }

    @Test
    void sectionsProjectFieldsContextAndUpstreamDataRender() throws Exception {
        String user = """
                {{project.name}} ({{project.processing_type}}, L{{project.layer}})
                {{#is_terminal}}You MUST make a selection.{{/is_terminal}}{{^is_terminal}}Prepare for downstream.{{/is_terminal}}
                CONTEXT {{context}}
                FIRST CANDIDATE {{context.candidates.0.name}}
                UPSTREAM {{upstream_data}}
                {{#inputs}}- {{number}} {{from_project}} {{relation}} {{data_type}} {{flow.description}}
                {{/inputs}}REQ {{requirements}}""";
        Map<String, Object> options = runOptions("You are an {{project.processing_type}} expert.", user,
                Map.of("candidates", List.of(Map.of("name", "Quadcopter"))));
        List<TaskInput> inputs = List.of(input("Design", "parent", null, "{\"confidence\":0.9}"),
                input("A", "data_flow", "concepts", "{\"k\":\"a\"}"),
                input("B", "data_flow", "concepts", "{\"k\":\"b\"}"));
        PromptRenderer.Prompt prompt = defaults.render(task(options, true, inputs), JSON_SPEC);

        assertEquals("You are an evaluation expert.", prompt.system());
        String text = prompt.user();
        assertTrue(text.startsWith("Selection (evaluation, L3)\nYou MUST make a selection.\n"), text);
        assertTrue(text.contains("CONTEXT {\n  \"candidates\" : [ {\n    \"name\" : \"Quadcopter\""), text);
        assertTrue(text.contains("FIRST CANDIDATE Quadcopter\n"), text);
        assertTrue(text.contains("UPSTREAM {\n  \"parent_data\" : {\n    \"confidence\" : 0.9\n  },\n"
                + "  \"concepts\" : [ {\n    \"k\" : \"a\"\n  }, {\n    \"k\" : \"b\"\n  } ]\n}"), text);
        assertTrue(text.contains("- 1 Design parent  flow from Design\n- 2 A data_flow concepts flow from A\n"), text);
        // A value is never read as a template: the requirements' "{{context}}" stays as written.
        assertTrue(text.endsWith("REQ The UAV shall {{context}} fly."), text);

        String notTerminal = defaults.render(task(options, false, List.of()), JSON_SPEC).user();
        assertTrue(notTerminal.contains("\nPrepare for downstream.\n"), notTerminal);
        assertTrue(notTerminal.contains("UPSTREAM { }"), notTerminal);
    }

    @Test
    void aRejectedTasksPromptGetsTheReviewersComment() {
        String user = "{{#review_comment}}A reviewer rejected your previous answer: {{review_comment}}{{/review_comment}}"
                + "{{^review_comment}}First answer.{{/review_comment}} [{{review_comment}}]";
        TaskContext first = task(runOptions(null, user, Map.of()), false, List.of());
        assertEquals("First answer. []", defaults.render(first, JSON_SPEC).user());
        TaskContext rejected = new TaskContext(null, first.requirements(), first.projectName(), first.project(),
                List.of(), 2, first.runOptions(), false, "cite the endurance source");
        assertEquals("A reviewer rejected your previous answer: cite the endurance source [cite the endurance source]",
                defaults.render(rejected, JSON_SPEC).user());
        assertEquals(List.of(), defaults.check(runOptions(null, user, Map.of()), new Lattice(
                List.of(new Project("Root", 0, null, Map.of("name", "Root", "layer", 0))), List.of())),
                "review_comment is known at submission");
    }

    @Test
    void theConfiguredTemplatesStayTheDefault() {
        PromptRenderer.Prompt prompt = defaults.render(task(Map.of(), false, List.of()), JSON_SPEC);
        assertEquals("SYSTEM " + PromptRenderer.JSON_FORMAT, prompt.system());
        assertEquals("USER The UAV shall {{context}} fly.", prompt.user());
    }

    @Test
    void anUnknownVariableNamesTheTemplateAndTheLine() {
        PromptRenderer.TemplateException e = assertThrows(PromptRenderer.TemplateException.class,
                () -> defaults.render(task(runOptions(null, "ok\n{{project.nope}}", Map.of()), false, List.of()), JSON_SPEC));
        assertEquals("prompts.user", e.field());
        assertEquals("unknown variable 'project.nope' on line 2", e.reason());
    }

    @Test
    void theSubmissionCheckRendersEveryProjectAndNamesTheField() {
        Lattice lattice = new Lattice(List.of(
                new Project("Root", 0, null, Map.of("name", "Root", "layer", 0)),
                new Project("Leaf", 1, "Root", Map.of("name", "Leaf", "layer", 1, "domain", "uav"))),
                List.of(new DataFlow("Root", "Leaf", "ontology", true)));
        assertEquals(List.of(), defaults.check(runOptions(null,
                "{{#upstream_data.parent_data}}{{upstream_data.parent_data.any.field}}{{/upstream_data.parent_data}}"
                        + "{{upstream_data}}{{#inputs}}{{output.confidence}}{{/inputs}}{{context}}", Map.of()), lattice));
        assertEquals(List.of(new Violation("prompts.user", "unknown variable 'project.domain' on line 1 (for project 'Root')")),
                defaults.check(runOptions(null, "{{project.domain}}", Map.of()), lattice));
        assertEquals(List.of(new Violation("prompts.system", "unknown variable 'upstream_data.parent_data' on line 1"
                        + " (for project 'Root')")),
                defaults.check(runOptions("{{upstream_data.parent_data}}", "x", Map.of()), lattice));
        List<Violation> broken = defaults.check(runOptions(null, "{{#is_terminal}}open", Map.of()), lattice);
        assertEquals("prompts.user", broken.get(0).field());
        assertTrue(broken.get(0).reason().startsWith("does not parse: "), broken.get(0).reason());
    }
}
