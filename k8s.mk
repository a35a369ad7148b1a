# Kubernetes targets of sales-aggregator (included by the Makefile): a local kind cluster with
# cert-manager, Strimzi and the Flink Kubernetes Operator, the images built by Jib without a
# Docker daemon, and the k8s/ manifests plus the Helm chart on top. Needs kind, kubectl and helm
# on PATH (and Docker or Podman for kind itself). `make help` lists everything.

# ---- variables (override on the command line: make kind-up KIND_CLUSTER=demo)
KIND_CLUSTER ?= sales-aggregator## name of the kind cluster
NAMESPACE ?= sales## namespace of Kafka, the job and the seeder (as in k8s/kustomization.yaml)
CERT_MANAGER_VERSION ?= v1.18.2## cert-manager release (the Flink operator's webhook needs it)
STRIMZI_VERSION ?= 1.2.0## Strimzi operator release (chart oci://quay.io/strimzi-helm)
FLINK_OPERATOR_VERSION ?= 1.15.0## Flink Kubernetes Operator release (Helm repository)
RELEASE ?= sales-aggregator## Helm release name of the job and the seeder
CHART ?= helm/sales-aggregator## path of the Helm chart
FLINK_DEPLOYMENT ?= sales-aggregator## name of the FlinkDeployment the chart creates
TOPIC ?=## topic to print with make read, e.g. revenue-per-product
WAIT ?= 600s## how long kubectl and helm wait for a resource to become ready
DASHBOARD_SERVICE ?= sales-aggregator-dashboard## Service of the live dashboard the chart creates
PROMETHEUS_STACK_VERSION ?= 81.6.2## kube-prometheus-stack chart release (make monitoring)
MONITORING_NAMESPACE ?= monitoring## namespace of Prometheus and Grafana (make monitoring)
GRAFANA_PORT ?= 3000## local port of Grafana (make grafana)

# The kind node image is pinned (tag and digest) in kind-config.yaml; the Kafka version in
# k8s/kafka-cluster.yaml; the image tag is the project version.
KIND_CONFIG := kind-config.yaml
KIND_STATE_DIR := target/kind-state
KAFKA_VERSION = $(shell sed -n 's/^    version: *//p' k8s/kafka-cluster.yaml)
JOB_IMAGE_TAR = target/jib/sales-aggregator-job.tar
SEEDER_IMAGE_TAR = target/jib/sales-aggregator-seeder.tar
DASHBOARD_IMAGE_TAR = target/jib/sales-aggregator-dashboard.tar
KUBECTL = kubectl --context kind-$(KIND_CLUSTER)
HELM = helm --kube-context kind-$(KIND_CLUSTER)
CERT_MANAGER_URL = https://github.com/cert-manager/cert-manager/releases/download/$(CERT_MANAGER_VERSION)/cert-manager.yaml
STRIMZI_CHART = oci://quay.io/strimzi-helm/strimzi-kafka-operator
FLINK_OPERATOR_REPO = https://downloads.apache.org/flink/flink-kubernetes-operator-$(FLINK_OPERATOR_VERSION)/
KAFKA_BOOTSTRAP = sales-kafka-kafka-bootstrap.$(NAMESPACE).svc:9093

.PHONY: images
images: jdk ## build the job, seeder and dashboard images as tarballs with Jib (target/jib/*.tar)
	$(MVN) -Dimages -DskipTests package jib:buildTar@job-image jib:buildTar@seeder-image jib:buildTar@dashboard-image

.PHONY: kind-up
kind-up: ## create the kind cluster and install cert-manager, Strimzi and the Flink operator (idempotent)
	@command -v kind >/dev/null && command -v kubectl >/dev/null && command -v helm >/dev/null || \
		{ echo "kind-up needs kind, kubectl and helm on PATH"; exit 1; }
	@# Shared Flink state: every node mounts this directory; Flink runs as UID 9999.
	mkdir -p $(KIND_STATE_DIR) && chmod 0777 $(KIND_STATE_DIR)
	@# Docker bind mounts need absolute paths: the config's ./ paths become the project's.
	kind get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' || \
		sed 's#hostPath: \./#hostPath: $(CURDIR)/#' $(KIND_CONFIG) | \
		kind create cluster --name $(KIND_CLUSTER) --config - --wait $(WAIT)
	@# The namespace first: Strimzi and the Flink operator create their RBAC in it.
	$(KUBECTL) apply -f k8s/namespace.yaml
	$(KUBECTL) apply -f $(CERT_MANAGER_URL)
	$(KUBECTL) wait deployment --all -n cert-manager --for=condition=Available --timeout=$(WAIT)
	$(HELM) upgrade --install strimzi-cluster-operator $(STRIMZI_CHART) \
		--version $(STRIMZI_VERSION) --namespace strimzi --create-namespace \
		--set 'watchNamespaces={$(NAMESPACE)}' \
		--set 'extraEnvs[0].name=STRIMZI_POD_SECURITY_PROVIDER_CLASS' \
		--set 'extraEnvs[0].value=restricted' \
		--wait --timeout $(WAIT)
	$(HELM) repo add flink-operator-repo $(FLINK_OPERATOR_REPO) --force-update
	$(HELM) upgrade --install flink-kubernetes-operator flink-operator-repo/flink-kubernetes-operator \
		--version $(FLINK_OPERATOR_VERSION) --namespace flink-operator --create-namespace \
		--set 'watchNamespaces={$(NAMESPACE)}' \
		--wait --timeout $(WAIT)
	@echo
	@echo "kind cluster $(KIND_CLUSTER) is ready. Next: make deploy (builds and loads the images)"

.PHONY: kind-down
kind-down: ## delete the kind cluster (Flink state in target/kind-state stays; make clean deletes it)
	kind delete cluster --name $(KIND_CLUSTER)

.PHONY: kind-load
kind-load: ## load the image tarballs of make images into the kind nodes
	@test -f $(JOB_IMAGE_TAR) && test -f $(SEEDER_IMAGE_TAR) && test -f $(DASHBOARD_IMAGE_TAR) || \
		{ echo "run make images first"; exit 1; }
	kind load image-archive $(JOB_IMAGE_TAR) --name $(KIND_CLUSTER)
	kind load image-archive $(SEEDER_IMAGE_TAR) --name $(KIND_CLUSTER)
	kind load image-archive $(DASHBOARD_IMAGE_TAR) --name $(KIND_CLUSTER)

# Waits until the FlinkDeployment is reconciled (STABLE) and its job RUNNING: after a deploy, a
# savepoint upgrade or a rescale.
define job_running
	$(KUBECTL) wait flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) \
		--for=jsonpath='{.status.lifecycleState}'=STABLE --timeout=$(WAIT)
	$(KUBECTL) wait flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) \
		--for=jsonpath='{.status.jobStatus.state}'=RUNNING --timeout=$(WAIT)
endef

.PHONY: deploy
deploy: images kind-load ## build and load the images, apply k8s/, wait for Kafka, install the chart, wait for the job RUNNING
	$(KUBECTL) apply -k k8s/
	$(KUBECTL) wait kafka/sales-kafka -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(KUBECTL) wait kafkauser --all -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(KUBECTL) wait kafkatopic --all -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(HELM) upgrade --install $(RELEASE) $(CHART) --namespace $(NAMESPACE) --wait --timeout $(WAIT)
	$(job_running)
	@echo
	@echo "Deployed. Next: make status, make dashboard, make ui, make read TOPIC=revenue-per-product"

.PHONY: status
status: ## show Kafka, topics, users, the FlinkDeployment and the pods
	$(KUBECTL) get kafka,kafkanodepool,kafkatopic,kafkauser,flinkdeployment,pvc,pods -n $(NAMESPACE)

.PHONY: ui
ui: ## forward the Flink web UI to localhost (port FLINK_UI_PORT) until Ctrl-C
	$(KUBECTL) port-forward -n $(NAMESPACE) svc/$(FLINK_DEPLOYMENT)-rest $(FLINK_UI_PORT):8081

.PHONY: dashboard
dashboard: ## forward the live dashboard to localhost (port DASHBOARD_PORT) and print its URL, until Ctrl-C
	@echo "Dashboard: http://localhost:$(DASHBOARD_PORT)  (port-forward to svc/$(DASHBOARD_SERVICE); Ctrl-C stops it)"
	$(KUBECTL) port-forward -n $(NAMESPACE) svc/$(DASHBOARD_SERVICE) $(DASHBOARD_PORT):8088

# Prometheus and Grafana (kube-prometheus-stack) for the chart's PodMonitors and Grafana dashboard:
# Prometheus selects PodMonitors in every namespace, Grafana's sidecar loads dashboards from every
# namespace; the chart's metrics policy then admits the monitoring namespace.
PROMETHEUS_STACK_REPO = https://prometheus-community.github.io/helm-charts
define METRICS_FROM
[{"podSelector":{}},{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"$(MONITORING_NAMESPACE)"}}}]
endef

.PHONY: monitoring
monitoring: ## install kube-prometheus-stack and turn on the chart's PodMonitors and Grafana dashboard
	$(HELM) repo add prometheus-community $(PROMETHEUS_STACK_REPO) --force-update
	$(HELM) upgrade --install kps prometheus-community/kube-prometheus-stack \
		--version $(PROMETHEUS_STACK_VERSION) --namespace $(MONITORING_NAMESPACE) --create-namespace \
		--set prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues=false \
		--set grafana.sidecar.dashboards.searchNamespace=ALL \
		--wait --timeout $(WAIT)
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) --reuse-values \
		--set monitoring.enabled=true --set-json 'networkPolicy.metricsFrom=$(METRICS_FROM)' \
		--wait --timeout $(WAIT)
	@echo
	@echo "Prometheus scrapes the job, the seeder and the dashboard. Next: make grafana"

.PHONY: grafana
grafana: ## forward Grafana to localhost (port GRAFANA_PORT); dashboard "sales-aggregator pipeline"
	@echo "Grafana: http://localhost:$(GRAFANA_PORT)  user admin, password:"
	@$(KUBECTL) get secret -n $(MONITORING_NAMESPACE) kps-grafana -o jsonpath='{.data.admin-password}' | base64 -d; echo
	$(KUBECTL) port-forward -n $(MONITORING_NAMESPACE) svc/kps-grafana $(GRAFANA_PORT):80

.PHONY: savepoint
savepoint: ## trigger a savepoint of the running job (written under the Flink state volume)
	$(KUBECTL) patch flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) --type=merge \
		-p "{\"spec\":{\"job\":{\"savepointTriggerNonce\":$$(date +%s)}}}"
	@echo "Follow it with: $(KUBECTL) get flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) -o jsonpath='{.status.jobStatus.savepointInfo}'"

PARALLELISM ?=## make scale: the new parallelism of the job
TAG ?=## make upgrade: the image tag to upgrade to (build it with make images first)

.PHONY: scale
scale: ## rescale the job: the operator takes a savepoint and restores it at PARALLELISM
	@test -n "$(PARALLELISM)" || { echo "usage: make scale PARALLELISM=<n>"; exit 1; }
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) --reuse-values \
		--set job.parallelism=$(PARALLELISM) --wait --timeout $(WAIT)

.PHONY: upgrade
upgrade: ## upgrade the job, seeder and dashboard images to TAG (upgradeMode savepoint: stop with savepoint, restore)
	@test -n "$(TAG)" || { echo "usage: make upgrade TAG=<tag>"; exit 1; }
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) --reuse-values \
		--set job.image.tag=$(TAG) --set seeder.image.tag=$(TAG) --set dashboard.image.tag=$(TAG) \
		--wait --timeout $(WAIT)

.PHONY: logs
logs: ## follow the JobManager log
	$(KUBECTL) logs -n $(NAMESPACE) -f --tail=200 -l app=$(FLINK_DEPLOYMENT),component=jobmanager

# A one-off console consumer as KafkaUser sales-reader: SCRAM password from its Secret, the
# cluster CA from Strimzi's Secret, security contexts that pass the restricted standard.
READ_MAX ?=## make read: stop after this many records (empty = follow until Ctrl-C)
define READER_POD
{"apiVersion":"v1","spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"read","image":"quay.io/strimzi/kafka:$(STRIMZI_VERSION)-kafka-$(KAFKA_VERSION)",
"stdin":true,"tty":false,
"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}},
"env":[{"name":"JAAS","valueFrom":{"secretKeyRef":{"name":"sales-reader","key":"sasl.jaas.config"}}}],
"volumeMounts":[{"name":"ca","mountPath":"/ca","readOnly":true}],
"command":["sh","-c","printf 'security.protocol=SASL_SSL\\nsasl.mechanism=SCRAM-SHA-512\\nssl.truststore.type=PEM\\nssl.truststore.location=/ca/ca.crt\\nsasl.jaas.config=%s\\n' \"$$JAAS\" > /tmp/client.properties && exec bin/kafka-console-consumer.sh --bootstrap-server $(KAFKA_BOOTSTRAP) --consumer.config /tmp/client.properties --group sales-reader-cli --topic $(TOPIC) --from-beginning --property print.key=true $(if $(READ_MAX),--max-messages $(READ_MAX) --timeout-ms 180000,)"]}],
"volumes":[{"name":"ca","secret":{"secretName":"sales-kafka-cluster-ca-cert","items":[{"key":"ca.crt","path":"ca.crt"}]}}]}}
endef
export READER_POD

.PHONY: read
read: ## print a topic as KafkaUser sales-reader: make read TOPIC=revenue-per-product
	@test -n "$(TOPIC)" || { echo "usage: make read TOPIC=<topic>"; exit 1; }
	$(KUBECTL) run sales-read-$$(date +%s) -n $(NAMESPACE) --rm -i --restart=Never \
		--labels=app.kubernetes.io/name=sales-reader \
		--image=quay.io/strimzi/kafka:$(STRIMZI_VERSION)-kafka-$(KAFKA_VERSION) \
		--overrides="$$READER_POD"

# The figure check (com.salesaggregator.verify.FigureCheck, in the seeder image) as KafkaUser
# sales-e2e-verifier (k8s/e2e/, read-only): recomputes the figures from the input topics with the
# reference model and compares every settled window and dead letter with the committed outputs.
IMAGE_TAG = $(shell sed -n 's|^    <version>\(.*\)</version>$$|\1|p' pom.xml | head -1)
define FIGURE_CHECK_POD
{"apiVersion":"v1","spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"figure-check","image":"sales-aggregator-seeder:$(IMAGE_TAG)","imagePullPolicy":"IfNotPresent",
"stdin":true,"tty":false,
"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}},
"env":[{"name":"JAAS","valueFrom":{"secretKeyRef":{"name":"sales-e2e-verifier","key":"sasl.jaas.config"}}}],
"volumeMounts":[{"name":"ca","mountPath":"/ca","readOnly":true}],
"command":["sh","-c","printf 'security.protocol=SASL_SSL\\nsasl.mechanism=SCRAM-SHA-512\\nssl.truststore.type=PEM\\nssl.truststore.location=/ca/ca.crt\\nsasl.jaas.config=%s\\n' \"$$JAAS\" > /tmp/client.properties && exec java -XX:MaxRAMPercentage=75 -cp @/app/jib-classpath-file com.salesaggregator.verify.FigureCheck --bootstrap-servers $(KAFKA_BOOTSTRAP) --client-config /tmp/client.properties"]}],
"volumes":[{"name":"ca","secret":{"secretName":"sales-kafka-cluster-ca-cert","items":[{"key":"ca.crt","path":"ca.crt"}]}}]}}
endef
export FIGURE_CHECK_POD

.PHONY: figure-check
figure-check: ## compare the live figures with the reference model recomputed from the input topics
	$(KUBECTL) apply -n $(NAMESPACE) -f k8s/e2e/
	$(KUBECTL) wait kafkauser/sales-e2e-verifier -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(KUBECTL) run sales-figure-check-$$(date +%s) -n $(NAMESPACE) --rm -i --restart=Never \
		--labels=app.kubernetes.io/name=sales-reader \
		--image=sales-aggregator-seeder:$(IMAGE_TAG) --overrides="$$FIGURE_CHECK_POD"

# Not run in CI (CI has no Docker and no cluster): the whole path on a developer's machine.
# Waits until the FlinkDeployment's job is RUNNING again (after a deploy, a savepoint upgrade or a
# rescale), then until one more committed record of a windowed output can be read, then checks
# the figures against the reference model.
define e2e_running
	$(job_running)
	$(MAKE) read TOPIC=region-trend-1m READ_MAX=1
	$(MAKE) figure-check
endef

.PHONY: e2e
e2e: ## end to end on kind (outside CI): deploy, savepoint, rescale 2->4, upgrade; figures checked after each
	$(MAKE) kind-up deploy
	$(e2e_running)
	$(MAKE) read TOPIC=revenue-per-product READ_MAX=1
	$(MAKE) savepoint
	$(KUBECTL) wait flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) \
		--for=jsonpath='{.status.jobStatus.savepointInfo.lastSavepoint.location}' --timeout=$(WAIT)
	$(MAKE) scale PARALLELISM=4
	$(e2e_running)
	@# A spec change (here Flink's checkpoint interval) is a savepoint upgrade for the operator: stop
	@# with a savepoint, restore the changed job from it. A new image tag (make upgrade) takes the same path.
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) --reuse-values \
		--set-string 'job.flinkConfiguration.execution\.checkpointing\.interval=15s' --wait --timeout $(WAIT)
	$(e2e_running)
	@echo "e2e: deployed, savepoint taken, rescaled to 4, upgraded through a savepoint; after each"
	@echo "     step the settled figures equalled the reference model recomputed from the inputs."
