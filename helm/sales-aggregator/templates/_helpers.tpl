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

{{/*
The FlinkDeployment's flinkConfiguration, as YAML: the chart's entries, then job.flinkConfiguration
over them. Ports are pinned so that the Flink NetworkPolicy can name them (Flink picks random ones
for the TaskManager's RPC, data and metric query service ports, and the blob server, by default).
Limit factors 1.0: the pods get limits equal to their requests (jobManager/taskManager.resource).
*/}}
{{- define "sales-aggregator.flinkConfiguration" -}}
{{- include "sales-aggregator.flinkConfigurationOf" (dict "root" . "name" (include "sales-aggregator.fullname" .)) }}
{{- end }}

{{/*
The flinkConfiguration of the FlinkDeployment named "name" (a dict with "root", the chart context,
and "name"): its checkpoints, savepoints and HA metadata under job.state.mountPath/<name>.
*/}}
{{- define "sales-aggregator.flinkConfigurationOf" -}}
{{- $fullname := .name }}
{{- $job := .root.Values.job }}
{{- $state := trimSuffix "/" $job.state.mountPath }}
{{- $rs := $job.restartStrategy }}
{{- $conf := dict
  "taskmanager.numberOfTaskSlots" (toString $job.taskManager.taskSlots)
  "state.checkpoints.dir" (printf "file://%s/%s/checkpoints" $state $fullname)
  "state.savepoints.dir" (printf "file://%s/%s/savepoints" $state $fullname)
  "high-availability.type" "kubernetes"
  "high-availability.storageDir" (printf "file://%s/%s/ha" $state $fullname)
  "execution.checkpointing.externalized-checkpoint-retention" "RETAIN_ON_CANCELLATION"
  "execution.checkpointing.num-retained" "3"
  "restart-strategy.type" "exponential-delay"
  "restart-strategy.exponential-delay.initial-backoff" $rs.initialBackoff
  "restart-strategy.exponential-delay.max-backoff" $rs.maxBackoff
  "restart-strategy.exponential-delay.backoff-multiplier" (toString $rs.backoffMultiplier)
  "restart-strategy.exponential-delay.reset-backoff-threshold" $rs.resetBackoffThreshold
  "restart-strategy.exponential-delay.jitter-factor" (toString $rs.jitterFactor)
  "web.submit.enable" "false"
  "web.cancel.enable" "false"
  "metrics.reporter.prom.factory.class" "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
  "metrics.reporter.prom.port" (toString $job.metricsPort)
  "rest.port" "8081"
  "jobmanager.rpc.port" "6123"
  "blob.server.port" "6124"
  "taskmanager.rpc.port" "6122"
  "taskmanager.data.port" "6121"
  "metrics.internal.query-service.port" "6125"
  "kubernetes.jobmanager.cpu.limit-factor" "1.0"
  "kubernetes.jobmanager.memory.limit-factor" "1.0"
  "kubernetes.taskmanager.cpu.limit-factor" "1.0"
  "kubernetes.taskmanager.memory.limit-factor" "1.0"
  "env.java.opts.all" "-Dorg.apache.kafka.automatic.config.providers=org.apache.kafka.common.config.provider.EnvVarConfigProvider"
}}
{{- range $k, $v := $job.flinkConfiguration }}
{{- $_ := set $conf $k (toString $v) }}
{{- end }}
{{- toYaml $conf }}
{{- end }}

{{/*
The ports Flink's JobManager and TaskManagers open to each other (REST, JobManager RPC, blob
server, TaskManager RPC, data exchange, metric query service), read from the flinkConfiguration
above; each must be a fixed port, since the NetworkPolicy names it. A list in YAML.
*/}}
{{- define "sales-aggregator.flinkInternalPorts" -}}
{{- $conf := include "sales-aggregator.flinkConfiguration" . | fromYaml }}
{{- $ports := list }}
{{- range $key := list "rest.port" "jobmanager.rpc.port" "blob.server.port" "taskmanager.rpc.port" "taskmanager.data.port" "metrics.internal.query-service.port" }}
{{- $port := get $conf $key | toString }}
{{- if not (regexMatch "^[1-9][0-9]{0,4}$" $port) }}
{{- fail (printf "flinkConfiguration %s must be one fixed port for the NetworkPolicy, was %q" $key $port) }}
{{- end }}
{{- $ports = append $ports (atoi $port) }}
{{- end }}
{{- toYaml $ports }}
{{- end }}

{{/*
Name of the backfill's FlinkDeployment (and of its state directories): <fullname>-backfill.
*/}}
{{- define "sales-aggregator.backfillName" -}}
{{- printf "%s-backfill" (include "sales-aggregator.fullname" . | trunc 54 | trimSuffix "-") }}
{{- end }}

{{/*
The backfill's KafkaUser, consumer group and transactional id prefix: one name, disjoint from the
live job's (sales-aggregator), so neither can join the other's group or fence its transactions.
*/}}
{{- define "sales-aggregator.backfillId" -}}
sales-backfill
{{- end }}

{{/*
The job's output topics, as keys of job.topics (the names com.salesaggregator.topics.Topics
gives them); a backfill writes each under its name plus backfill.suffix. A list in YAML.
*/}}
{{- define "sales-aggregator.outputTopics" -}}
- revenue-per-seller-1m
- units-per-product-5m
- revenue-per-product
- sales-per-region
- region-trend-1m
- sales-dlq
- sales-late
{{- end }}

{{/*
The job's input topics, as keys of job.topics. A list in YAML.
*/}}
{{- define "sales-aggregator.inputTopics" -}}
- sales-online
- sales-store
- products
- fx-rates
{{- end }}

{{/*
The backfill's range, checked before anything is rendered: the schema checks each instant's form,
this that from lies before to (the job refuses the rest, e.g. a range in the future, at start).
Renders "from to" as given.
*/}}
{{- define "sales-aggregator.backfillRange" -}}
{{- $b := .Values.backfill }}
{{- $layout := "2006-01-02T15:04:05Z07:00" }}
{{- $from := mustToDate $layout $b.from }}
{{- $to := mustToDate $layout $b.to }}
{{- if not ($from.Before $to) }}
{{- fail (printf "backfill.from (%s) must be before backfill.to (%s)" $b.from $b.to) }}
{{- end }}
{{- printf "%s %s" $b.from $b.to }}
{{- end }}
