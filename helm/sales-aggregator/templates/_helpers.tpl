{{/*
Chart name, truncated to 63 characters (the DNS label limit).
*/}}
{{- define "sales-aggregator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name, plus the chart name unless the release name already holds it.
*/}}
{{- define "sales-aggregator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "sales-aggregator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "sales-aggregator.labels" -}}
helm.sh/chart: {{ include "sales-aggregator.chart" . }}
{{ include "sales-aggregator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels; add app.kubernetes.io/component to tell the Flink pods from the seeder.
*/}}
{{- define "sales-aggregator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sales-aggregator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Service account of the Flink pods.
*/}}
{{- define "sales-aggregator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sales-aggregator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the ConfigMap holding the Kafka client properties.
*/}}
{{- define "sales-aggregator.kafkaClientConfigMap" -}}
{{- printf "%s-kafka-client" (include "sales-aggregator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Container security context meeting the restricted Pod Security Standard.
*/}}
{{- define "sales-aggregator.containerSecurityContext" -}}
allowPrivilegeEscalation: false
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Pod security context meeting the restricted Pod Security Standard.
*/}}
{{- define "sales-aggregator.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Kafka credentials as environment variables, read from secrets (never inlined). Argument: a dict
with "user" (KafkaUser name) and "root" (the chart context).
*/}}
{{- define "sales-aggregator.kafkaEnv" -}}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .user }}
      key: sasl.jaas.config
- name: KAFKA_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.kafka.clusterCaSecret }}
      key: {{ .root.Values.kafka.truststorePasswordKey }}
{{- end }}
