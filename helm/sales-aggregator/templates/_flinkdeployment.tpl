{{/*
A FlinkDeployment of the job, shared by the live job (flinkdeployment.yaml) and the backfill
(backfill-flinkdeployment.yaml). Argument: a dict with "root" (the chart context), "name" (the
FlinkDeployment's name, which also names its state directories), "component" (the
app.kubernetes.io/component label of it and its pods), "upgradeMode", "kafkaUser" (whose secret
holds the SASL login), "skipOptions" (job.options keys not passed, since "extraArgs" sets them) and
"extraArgs" (appended to the job's arguments).
*/}}
{{- define "sales-aggregator.flinkDeployment" -}}
{{- $root := .root }}
{{- $job := $root.Values.job }}
{{- $flinkConf := include "sales-aggregator.flinkConfigurationOf" (dict "root" $root "name" .name) | fromYaml }}
{{- $skip := .skipOptions | default list }}
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: {{ .name }}
  labels:
    {{- include "sales-aggregator.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  image: "{{ $job.image.repository }}:{{ $job.image.tag }}"
  imagePullPolicy: {{ $job.image.pullPolicy }}
  flinkVersion: {{ $job.flinkVersion }}
  serviceAccount: {{ include "sales-aggregator.serviceAccountName" $root }}
  flinkConfiguration:
    {{- range $k, $v := $flinkConf }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
  podTemplate:
    metadata:
      labels:
        {{- include "sales-aggregator.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
    spec:
      securityContext:
        {{- include "sales-aggregator.podSecurityContext" $root | nindent 8 }}
      containers:
        # The operator merges this into the Flink container of the JobManager and TaskManagers.
        - name: flink-main-container
          securityContext:
            {{- include "sales-aggregator.containerSecurityContext" $root | nindent 12 }}
          # Named, so that the PodMonitor can scrape the Prometheus reporter by name; Flink adds
          # its own ports (REST, RPC, blob) to these.
          ports:
            - name: metrics
              containerPort: {{ $job.metricsPort }}
              protocol: TCP
          env:
            {{- include "sales-aggregator.kafkaEnv" (dict "user" .kafkaUser "root" $root) | nindent 12 }}
          volumeMounts:
            - name: flink-state
              mountPath: {{ $job.state.mountPath }}
            - name: kafka-client
              mountPath: /opt/flink/kafka
              readOnly: true
            - name: kafka-ca
              mountPath: /opt/kafka-ca
              readOnly: true
      volumes:
        - name: flink-state
          persistentVolumeClaim:
            claimName: {{ $job.state.claimName }}
        - name: kafka-client
          configMap:
            name: {{ include "sales-aggregator.kafkaClientConfigMap" $root }}
        - name: kafka-ca
          secret:
            secretName: {{ $root.Values.kafka.clusterCaSecret }}
            items:
              - key: {{ $root.Values.kafka.truststoreKey }}
                path: {{ $root.Values.kafka.truststoreKey }}
  jobManager:
    replicas: {{ $job.jobManager.replicas }}
    resource:
      cpu: {{ $job.jobManager.resources.cpu }}
      memory: {{ $job.jobManager.resources.memory | quote }}
  taskManager:
    resource:
      cpu: {{ $job.taskManager.resources.cpu }}
      memory: {{ $job.taskManager.resources.memory | quote }}
  job:
    jarURI: {{ $job.jarURI }}
    entryClass: {{ $job.entryClass }}
    parallelism: {{ $job.parallelism }}
    upgradeMode: {{ .upgradeMode }}
    args:
      - --bootstrap-servers
      - {{ $root.Values.kafka.bootstrapServers | quote }}
      - --client-config
      - /opt/flink/kafka/client.properties
      {{- range $name, $topic := $job.topics }}
      - --topic.{{ $name }}
      - {{ $topic | quote }}
      {{- end }}
      {{- range $k, $v := $job.options }}
      {{- if not (has $k $skip) }}
      - --{{ $k }}
      - {{ $v | toString | quote }}
      {{- end }}
      {{- end }}
      {{- range .extraArgs }}
      - {{ . | toString | quote }}
      {{- end }}
{{- end }}
