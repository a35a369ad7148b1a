{{/*
The `helm test` pod of a figure check: a dict with "root" (the chart context), "name" (the pod's),
"component" (its app.kubernetes.io/component label) and "extraArgs" (appended to FigureCheck's).
*/}}
{{- define "sales-aggregator.figureCheckPod" -}}
{{- $root := .root }}
{{- $check := $root.Values.figureCheck }}
apiVersion: v1
kind: Pod
metadata:
  name: {{ .name }}
  labels:
    {{- include "sales-aggregator.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  annotations:
    helm.sh/hook: test
    # Kept after the run so that `helm test --logs` and kubectl logs can show its report.
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    {{- include "sales-aggregator.podSecurityContext" $root | nindent 4 }}
  containers:
    - name: figure-check
      image: "{{ $root.Values.seeder.image.repository }}:{{ $root.Values.seeder.image.tag }}"
      imagePullPolicy: {{ $root.Values.seeder.image.pullPolicy }}
      securityContext:
        {{- include "sales-aggregator.containerSecurityContext" $root | nindent 8 }}
        readOnlyRootFilesystem: true
      command:
        - java
        - -XX:MaxRAMPercentage=75
        # Kafka 3.8+ only instantiates the config providers this property allows.
        - -Dorg.apache.kafka.automatic.config.providers=org.apache.kafka.common.config.provider.EnvVarConfigProvider
        - -cp
        - "@/app/jib-classpath-file"
        - com.salesaggregator.verify.FigureCheck
        - --bootstrap-servers
        - {{ $root.Values.kafka.bootstrapServers | quote }}
        - --client-config
        - /opt/figure-check/kafka/client.properties
        {{- range .extraArgs }}
        - {{ . | toString | quote }}
        {{- end }}
      env:
        {{- include "sales-aggregator.kafkaEnv" (dict "user" $check.kafkaUser "root" $root) | nindent 8 }}
      resources:
        {{- toYaml $check.resources | nindent 8 }}
      volumeMounts:
        - name: kafka-client
          mountPath: /opt/figure-check/kafka
          readOnly: true
        - name: kafka-ca
          mountPath: /opt/kafka-ca
          readOnly: true
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: kafka-client
      configMap:
        name: {{ include "sales-aggregator.kafkaClientConfigMap" $root }}
    - name: kafka-ca
      secret:
        secretName: {{ $root.Values.kafka.clusterCaSecret }}
        items:
          - key: {{ $root.Values.kafka.truststoreKey }}
            path: {{ $root.Values.kafka.truststoreKey }}
    - name: tmp
      emptyDir: {}
{{- end }}
