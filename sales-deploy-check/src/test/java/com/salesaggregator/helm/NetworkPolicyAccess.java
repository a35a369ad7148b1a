package com.salesaggregator.helm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;

/**
 * Whether Kubernetes NetworkPolicies let a pod reach another pod's TCP port, by the API's rules
 * (networking.k8s.io/v1): a pod no Ingress policy selects accepts everything; a selected pod
 * accepts what one rule of one selecting policy allows, where a rule without {@code from} admits
 * every source and one without {@code ports} every port. Sources are pods (never IP blocks); a
 * namespace carries the label {@code kubernetes.io/metadata.name}. Named ports are not resolved:
 * they count as not matching, so the check errs on the side of "blocked".
 */
final class NetworkPolicyAccess {

    /** A pod: its namespace and labels. */
    record Pod(String namespace, Map<String, String> labels) {}

    private NetworkPolicyAccess() {}

    /** Whether {@code source} may open a TCP connection to {@code port} of {@code target}. */
    static boolean allows(List<NetworkPolicy> policies, Pod source, Pod target, int port) {
        List<NetworkPolicy> selecting =
                policies.stream()
                        .filter(p -> namespaceOf(p, target).equals(target.namespace()))
                        .filter(p -> isIngress(p))
                        .filter(p -> matches(p.getSpec().getPodSelector(), target.labels()))
                        .toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy policy : selecting) {
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                if (admits(rule.getFrom(), source, target) && opens(rule.getPorts(), port)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String namespaceOf(NetworkPolicy policy, Pod target) {
        // The chart's documents carry no namespace: they land in the release's.
        String namespace = policy.getMetadata().getNamespace();
        return namespace == null ? target.namespace() : namespace;
    }

    private static boolean isIngress(NetworkPolicy policy) {
        List<String> types = policy.getSpec().getPolicyTypes();
        return types == null || types.isEmpty() || types.contains("Ingress");
    }

    private static boolean admits(List<NetworkPolicyPeer> from, Pod source, Pod target) {
        if (from == null || from.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer peer : from) {
            if (peer.getIpBlock() != null) {
                continue;
            }
            boolean namespaceMatches =
                    peer.getNamespaceSelector() == null
                            ? source.namespace().equals(target.namespace())
                            : matches(
                                    peer.getNamespaceSelector(),
                                    Map.of("kubernetes.io/metadata.name", source.namespace()));
            boolean podMatches =
                    peer.getPodSelector() == null
                            || matches(peer.getPodSelector(), source.labels());
            if (namespaceMatches && podMatches) {
                return true;
            }
        }
        return false;
    }

    private static boolean opens(List<NetworkPolicyPort> ports, int port) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            boolean tcp = p.getProtocol() == null || p.getProtocol().equals("TCP");
            if (!tcp) {
                continue;
            }
            if (p.getPort() == null) {
                return true;
            }
            Integer number = p.getPort().getIntVal();
            if (number == null) {
                continue;
            }
            int end = p.getEndPort() == null ? number : p.getEndPort();
            if (port >= number && port <= end) {
                return true;
            }
        }
        return false;
    }

    /** A label selector against labels; an empty selector matches everything. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok =
                        switch (r.getOperator()) {
                            case "In" -> value != null && r.getValues().contains(value);
                            case "NotIn" -> value == null || !r.getValues().contains(value);
                            case "Exists" -> value != null;
                            case "DoesNotExist" -> value == null;
                            default ->
                                    throw new IllegalArgumentException(
                                            "unknown operator " + r.getOperator());
                        };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
