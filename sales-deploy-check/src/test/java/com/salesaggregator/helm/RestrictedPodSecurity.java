package com.salesaggregator.helm;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of the restricted Pod Security Standard (Kubernetes 1.30+) that a pod spec can fail
 * statically: non-root, seccomp RuntimeDefault, no privilege escalation, capabilities dropped,
 * allowed volume types only, no host namespaces or ports, not privileged.
 */
final class RestrictedPodSecurity {

    private static final Set<String> ALLOWED_VOLUME_TYPES =
            Set.of(
                    "configMap",
                    "csi",
                    "downwardAPI",
                    "emptyDir",
                    "ephemeral",
                    "persistentVolumeClaim",
                    "projected",
                    "secret");

    private RestrictedPodSecurity() {}

    /** The violations of {@code spec}, each naming the container or volume; empty if none. */
    static List<String> violations(PodSpec spec) {
        List<String> found = new ArrayList<>();
        PodSecurityContext pod =
                Objects.requireNonNullElseGet(spec.getSecurityContext(), PodSecurityContext::new);
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            found.add("pod: host namespaces");
        }
        if (Long.valueOf(0).equals(pod.getRunAsUser())) {
            found.add("pod: runAsUser 0");
        }
        for (Volume volume : spec.getVolumes()) {
            String type = volumeType(volume);
            if (!ALLOWED_VOLUME_TYPES.contains(type)) {
                found.add("volume " + volume.getName() + ": type " + type + " not allowed");
            }
        }
        List<Container> containers =
                Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
                        .toList();
        if (containers.isEmpty()) {
            found.add("pod: no containers");
        }
        for (Container container : containers) {
            String name = "container " + container.getName() + ": ";
            SecurityContext c =
                    Objects.requireNonNullElseGet(
                            container.getSecurityContext(), SecurityContext::new);
            Boolean runAsNonRoot =
                    c.getRunAsNonRoot() != null ? c.getRunAsNonRoot() : pod.getRunAsNonRoot();
            if (!Boolean.TRUE.equals(runAsNonRoot)) {
                found.add(name + "runAsNonRoot not true");
            }
            if (Long.valueOf(0).equals(c.getRunAsUser())) {
                found.add(name + "runAsUser 0");
            }
            String seccomp =
                    c.getSeccompProfile() != null
                            ? c.getSeccompProfile().getType()
                            : pod.getSeccompProfile() != null
                                    ? pod.getSeccompProfile().getType()
                                    : null;
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                found.add(name + "seccompProfile " + seccomp);
            }
            if (!Boolean.FALSE.equals(c.getAllowPrivilegeEscalation())) {
                found.add(name + "allowPrivilegeEscalation not false");
            }
            if (Boolean.TRUE.equals(c.getPrivileged())) {
                found.add(name + "privileged");
            }
            Capabilities caps = c.getCapabilities();
            if (caps == null || !caps.getDrop().contains("ALL")) {
                found.add(name + "capabilities do not drop ALL");
            }
            if (caps != null
                    && caps.getAdd().stream().anyMatch(cap -> !cap.equals("NET_BIND_SERVICE"))) {
                found.add(name + "capabilities added " + caps.getAdd());
            }
            if (container.getPorts().stream().anyMatch(p -> p.getHostPort() != null)) {
                found.add(name + "hostPort");
            }
        }
        return found;
    }

    /** The one volume source set on {@code volume}, by its field name. */
    private static String volumeType(Volume volume) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Manifests.JSON.convertValue(volume, Map.class);
        List<String> sources = fields.keySet().stream().filter(k -> !k.equals("name")).toList();
        return sources.size() == 1 ? sources.get(0) : sources.toString();
    }
}
