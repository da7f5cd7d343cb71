package com.streampulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.streampulse.autoscaler.ApiPermissions;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelOptionalLibrary;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's ValidatingAdmissionPolicy, parsed into fabric8's model and its CEL expressions
 * evaluated with Google's CEL for Java (the language the API server evaluates them in), on the
 * FlinkDeployment the chart renders: the autoscaler's own patches (parallelism, in-place overrides,
 * its decision annotation) pass; a changed image, pod template, service account, job field, other
 * Flink setting or annotation is denied; other users are not matched at all.
 */
class AdmissionPolicyTest {

    private static final String SERVICE_ACCOUNT =
            "system:serviceaccount:streampulse:streampulse-autoscaler";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final CelCompiler COMPILER =
            CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(CelOptions.current().enableOptionalSyntax(true).build())
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addLibraries(CelOptionalLibrary.INSTANCE)
                    .addVar("object", SimpleType.DYN)
                    .addVar("oldObject", SimpleType.DYN)
                    .addVar("request", SimpleType.DYN)
                    .addVar("variables", SimpleType.DYN)
                    .build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder()
                    .setOptions(CelOptions.current().enableOptionalSyntax(true).build())
                    .addLibraries(CelOptionalLibrary.INSTANCE)
                    .build();

    private static List<ObjectNode> rendered;
    private static ValidatingAdmissionPolicy policy;
    private static Map<String, Object> deployment;

    @BeforeAll
    static void render() throws Exception {
        rendered = Manifests.parse(Charts.template(Project.fromBuild(), ChartValues.DEFAULTS));
        policy =
                Manifests.KUBERNETES.unmarshal(
                        Manifests.single(rendered, "ValidatingAdmissionPolicy").toString(),
                        ValidatingAdmissionPolicy.class);
        deployment = copy(map(Manifests.single(rendered, "FlinkDeployment")));
        // What the API server holds once the operator has run it.
        deployment.put("status", new HashMap<>(Map.of("lifecycleState", "STABLE")));
    }

    @Test
    void theAutoscalersOwnPatchesAreAllowed() {
        assertThat(denials(SERVICE_ACCOUNT, d -> job(d).put("parallelism", 4L))).isEmpty();
        assertThat(
                        denials(
                                SERVICE_ACCOUNT,
                                d ->
                                        conf(d).put(
                                                        "pipeline.jobvertex-parallelism-overrides",
                                                        "a1:2,b2:4")))
                .isEmpty();
        assertThat(
                        denials(
                                SERVICE_ACCOUNT,
                                d -> {
                                    job(d).put("parallelism", 3L);
                                    annotations(d)
                                            .put(
                                                    "streampulse.io/autoscaler-last-decision",
                                                    "scale-up 2->3");
                                }))
                .isEmpty();
        assertThat(denials(SERVICE_ACCOUNT, d -> {})).isEmpty();
    }

    @Test
    void anythingElseTheAutoscalerChangesIsDenied() {
        Map<String, Consumer<Map<String, Object>>> forbidden = new LinkedHashMap<>();
        forbidden.put("image", d -> spec(d).put("image", "evil:latest"));
        forbidden.put(
                "pod template",
                d ->
                        spec(d).put(
                                        "podTemplate",
                                        Map.of(
                                                "spec",
                                                Map.of(
                                                        "containers",
                                                        List.of(
                                                                Map.of(
                                                                        "name",
                                                                        "flink-main-container",
                                                                        "command",
                                                                        List.of("sh")))))));
        forbidden.put("service account", d -> spec(d).put("serviceAccount", "default"));
        forbidden.put("removed field", d -> spec(d).remove("taskManager"));
        forbidden.put("jar", d -> job(d).put("jarURI", "local:///tmp/other.jar"));
        forbidden.put("upgrade mode", d -> job(d).put("upgradeMode", "stateless"));
        forbidden.put("savepoint path", d -> job(d).put("initialSavepointPath", "s3://x/y"));
        forbidden.put("flink setting", d -> conf(d).put("state.backend.type", "hashmap"));
        forbidden.put("new flink setting", d -> conf(d).put("env.java.opts.all", "-javaagent:x"));
        forbidden.put("removed flink setting", d -> conf(d).remove("state.checkpoints.dir"));
        forbidden.put(
                "other annotation", d -> annotations(d).put("streampulse.io/autoscaler", "x"));
        forbidden.put(
                "label", d -> map(d, "metadata", "labels").put("app.kubernetes.io/name", "other"));
        forbidden.forEach(
                (what, change) -> assertThat(denials(SERVICE_ACCOUNT, change)).as(what).hasSize(1));
    }

    @Test
    void otherUsersAreNotMatched() {
        assertThat(matches("system:serviceaccount:flink-operator:flink-operator")).isFalse();
        assertThat(matches("system:serviceaccount:other:streampulse-autoscaler")).isFalse();
        assertThat(matches(SERVICE_ACCOUNT)).isTrue();
    }

    /** The binding enforces it (Deny) in the release's namespace only, for this policy. */
    @Test
    void theBindingDeniesInTheReleasesNamespace() {
        ValidatingAdmissionPolicyBinding binding =
                Manifests.KUBERNETES.unmarshal(
                        Manifests.single(rendered, "ValidatingAdmissionPolicyBinding").toString(),
                        ValidatingAdmissionPolicyBinding.class);
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(binding.getSpec().getMatchResources().getNamespaceSelector().getMatchLabels())
                .containsExactly(Map.entry("kubernetes.io/metadata.name", Charts.NAMESPACE));
        assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
        // The verb it guards is the one RBAC grants the autoscaler on FlinkDeployments.
        assertThat(policy.getSpec().getMatchConstraints().getResourceRules().get(0).getOperations())
                .containsExactly("UPDATE");
        assertThat(ApiPermissions.USED)
                .anyMatch(
                        p ->
                                p.resource().equals("flinkdeployments")
                                        && p.verbs().contains("patch"));
    }

    /**
     * The policy compares spec and spec.job field by field (CEL cannot drop a field from a typed
     * object): every field of the operator's CRD must be compared but the parallelism ones.
     */
    @Test
    void everyCrdFieldButTheParallelismIsCompared() throws Exception {
        JsonNode spec = crdSpec();
        Set<String> specFields = new TreeSet<>();
        spec.path("properties").fieldNames().forEachRemaining(specFields::add);
        specFields.removeAll(Set.of("job", "flinkConfiguration"));
        Set<String> jobFields = new TreeSet<>();
        spec.at("/properties/job/properties").fieldNames().forEachRemaining(jobFields::add);
        jobFields.remove("parallelism");

        assertThat(compared("object\\.spec\\.\\?(\\w+) == ")).isEqualTo(specFields);
        assertThat(compared("object\\.spec\\.\\?job\\.\\?(\\w+) == ")).isEqualTo(jobFields);
    }

    private static Set<String> compared(String regex) {
        Set<String> fields = new TreeSet<>();
        for (Validation v : policy.getSpec().getValidations()) {
            Matcher m = Pattern.compile(regex).matcher(v.getExpression());
            while (m.find()) {
                fields.add(m.group(1));
            }
        }
        return fields;
    }

    private static JsonNode crdSpec() throws Exception {
        try (InputStream in =
                AdmissionPolicyTest.class
                        .getClassLoader()
                        .getResourceAsStream(
                                "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            return Manifests.YAML
                    .readTree(in)
                    .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        }
    }

    private static boolean matches(String username) {
        Map<String, Object> inputs = inputs(deployment, deployment, username);
        return policy.getSpec().getMatchConditions().stream()
                .allMatch(c -> (Boolean) eval(c.getExpression(), inputs));
    }

    /** The messages of the validations that fail for {@code change} made by {@code username}. */
    private static List<String> denials(String username, Consumer<Map<String, Object>> change) {
        Map<String, Object> updated = copy(deployment);
        change.accept(updated);
        Map<String, Object> inputs = inputs(updated, deployment, username);
        Map<String, Object> variables = new HashMap<>();
        inputs.put("variables", variables);
        for (Variable variable : policy.getSpec().getVariables()) {
            variables.put(variable.getName(), eval(variable.getExpression(), inputs));
        }
        List<String> denied = new ArrayList<>();
        for (Validation validation : policy.getSpec().getValidations()) {
            if (!(Boolean) eval(validation.getExpression(), inputs)) {
                denied.add(validation.getMessage());
            }
        }
        return denied;
    }

    private static Map<String, Object> inputs(
            Map<String, Object> object, Map<String, Object> oldObject, String username) {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("object", object);
        inputs.put("oldObject", oldObject);
        inputs.put("request", Map.of("userInfo", Map.of("username", username)));
        return inputs;
    }

    private static Object eval(String expression, Map<String, Object> inputs) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return RUNTIME.createProgram(ast).eval(name -> Optional.ofNullable(inputs.get(name)));
        } catch (Exception e) {
            throw new AssertionError("CEL failed on: " + expression, e);
        }
    }

    /** JSON as CEL sees it: integers as long. */
    private static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, new TypeReference<Map<String, Object>>() {});
    }

    private static Map<String, Object> copy(Map<String, Object> value) {
        return longs(JSON.convertValue(value, new TypeReference<Map<String, Object>>() {}));
    }

    @SuppressWarnings("unchecked")
    private static <T> T longs(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new HashMap<>();
            m.forEach((k, v) -> out.put((String) k, longs(v)));
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(longs(v)));
            return (T) out;
        }
        if (value instanceof Integer i) {
            return (T) Long.valueOf(i);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> root, String... path) {
        Map<String, Object> node = root;
        for (String key : path) {
            node = (Map<String, Object>) node.computeIfAbsent(key, k -> new HashMap<>());
        }
        return node;
    }

    private static Map<String, Object> spec(Map<String, Object> d) {
        return map(d, "spec");
    }

    private static Map<String, Object> job(Map<String, Object> d) {
        return map(d, "spec", "job");
    }

    private static Map<String, Object> conf(Map<String, Object> d) {
        return map(d, "spec", "flinkConfiguration");
    }

    private static Map<String, Object> annotations(Map<String, Object> d) {
        return map(d, "metadata", "annotations");
    }
}
