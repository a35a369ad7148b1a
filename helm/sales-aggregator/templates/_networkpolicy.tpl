{{/*
The NetworkPolicy of one FlinkDeployment's pods (the live job's or the backfill's), each admitted
only by its own kind: a dict with "root" (the chart context), "name" (the policy's), "component"
(the pods' app.kubernetes.io/component label) and "dashboard" (whether the dashboard may ask its
REST API). The backfill's pods get the live job's rules except the dashboard's.
*/}}
{{- define "sales-aggregator.flinkNetworkPolicy" -}}
{{- $root := .root }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  labels:
    {{- include "sales-aggregator.labels" $root | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "sales-aggregator.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
  policyTypes:
    - Ingress
  ingress:
    # JobManager and TaskManagers of this FlinkDeployment among themselves: REST, RPC, blob,
    # TaskManager RPC, data (shuffle) and metric query service ports, pinned in
    # flinkConfiguration (the JobManager asks each TaskManager's query service for its metrics).
    - from:
        - podSelector:
            matchLabels:
              {{- include "sales-aggregator.selectorLabels" $root | nindent 14 }}
              app.kubernetes.io/component: {{ .component }}
      ports:
        {{- range $port := include "sales-aggregator.flinkInternalPorts" $root | fromYamlArray }}
        - port: {{ $port }}
          protocol: TCP
        {{- end }}
    {{- if .dashboard }}
    # JobManager REST API for the dashboard's health strip (read-only GETs).
    - from:
        - podSelector:
            matchLabels:
              {{- include "sales-aggregator.selectorLabels" $root | nindent 14 }}
              app.kubernetes.io/component: dashboard
      ports:
        - port: 8081
          protocol: TCP
    {{- end }}
    {{- with $root.Values.networkPolicy.restFrom }}
    # JobManager REST API for the operator (and whoever else is listed).
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: 8081
          protocol: TCP
    {{- end }}
    {{- with $root.Values.networkPolicy.metricsFrom }}
    # Prometheus reporter.
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: {{ $root.Values.job.metricsPort }}
          protocol: TCP
    {{- end }}
{{- end }}
