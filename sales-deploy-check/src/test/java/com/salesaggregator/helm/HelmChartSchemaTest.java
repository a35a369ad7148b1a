package com.salesaggregator.helm;

import static com.salesaggregator.helm.ChartChecks.FLINK_DEPLOYMENT_SCHEMA;
import static com.salesaggregator.helm.ChartChecks.flinkDeploymentOpenApiSchema;
import static com.salesaggregator.helm.ChartChecks.render;
import static com.salesaggregator.helm.ChartChecks.violations;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's schema checks can fail: misspelled or mistyped FlinkDeployment fields and core-kind
 * fields are caught, and the operator's published CRD schema needs the one enum extension.
 */
class HelmChartSchemaTest {

    @Test
    void checksRejectMisspelledFlinkDeploymentFields() {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        ObjectNode spec = (ObjectNode) Manifests.find(docs, "FlinkDeployment").get("spec");
        ((ObjectNode) spec.get("job")).put("paralelism", 2);
        ((ObjectNode) spec.at("/podTemplate/spec/containers/0")).put("imagePullPolicyy", "Never");
        ((ObjectNode) spec.at("/jobManager/resource")).put("memory", 1600);
        assertThat(violations(docs))
                .anyMatch(v -> v.contains(".spec.job.paralelism: unknown field"))
                .anyMatch(v -> v.contains("containers[0].imagePullPolicyy: unknown field"))
                .anyMatch(v -> v.contains(".spec.jobManager.resource.memory: expected string"));

        // And in the core kinds, through fabric8's additionalProperties.
        List<JsonNode> other = Manifests.parse(render(Map.of()));
        ((ObjectNode) Manifests.find(other, "Deployment", "dashboard").at("/spec/template/spec"))
                .put("hostNetwrk", true);
        assertThat(violations(other)).anyMatch(v -> v.contains("hostNetwrk"));
    }

    @Test
    void schemaWithoutTheExplicitEnumExtensionRejectsV22() throws IOException {
        CrdSchemaValidator asPublished = CrdSchemaValidator.closed(flinkDeploymentOpenApiSchema());
        JsonNode flink = Manifests.find(Manifests.parse(render(Map.of())), "FlinkDeployment");
        ObjectNode body = Manifests.YAML.createObjectNode();
        body.set("spec", flink.get("spec"));
        assertThat(asPublished.validate(body))
                .singleElement()
                .asString()
                .contains(".spec.flinkVersion");
        assertThat(FLINK_DEPLOYMENT_SCHEMA.validate(body)).isEmpty();
    }
}
