package com.salesaggregator.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** The chart rendered in-process (helm-java), as {@code helm template} would for a release. */
final class Chart {

    static final Path DIR = Path.of("helm", "sales-aggregator");
    static final String RELEASE = "sales-aggregator";
    static final String NAMESPACE = "sales";
    // What kind (kindest/node) runs in Strimzi's CI; helm template defaults to an old 1.20.
    private static final String KUBE_VERSION = "1.35.0";

    private Chart() {}

    /** The rendered documents for {@code values} ({@code --set} keys, as Helm spells them). */
    static List<JsonNode> render(Map<String, Object> values) {
        TemplateCommand template =
                new Helm(DIR)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return Manifests.parse(template.call());
    }

    /** The FlinkDeployment's {@code flinkConfiguration}, key to value. */
    static Map<String, String> flinkConfiguration(List<JsonNode> docs) {
        Map<String, String> conf = new LinkedHashMap<>();
        Manifests.find(docs, "FlinkDeployment")
                .at("/spec/flinkConfiguration")
                .properties()
                .forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    /** The {@code flinkConfiguration} as the Flink processes read it. */
    static Configuration flinkConfigurationOf(List<JsonNode> docs) {
        return Configuration.fromMap(flinkConfiguration(docs));
    }
}
