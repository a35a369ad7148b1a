# Kubernetes targets of sales-aggregator (included by the Makefile): a local kind cluster with
# cert-manager, Strimzi and the Flink Kubernetes Operator, the images built by Jib without a
# Docker daemon, and the k8s/ manifests plus the Helm chart on top. Needs kind, kubectl and helm
# on PATH (and Docker or Podman for kind itself). `make help` lists everything.

# ---- variables (override on the command line: make kind-up KIND_CLUSTER=demo)
KIND_CLUSTER ?= sales-aggregator## name of the kind cluster
NAMESPACE ?= sales## namespace of Kafka, the job and the seeder (as in k8s/kustomization.yaml)
CERT_MANAGER_VERSION ?= v1.18.2## cert-manager release (the Flink operator's webhook needs it)
STRIMZI_VERSION ?= 1.2.0## Strimzi operator release (chart oci://quay.io/strimzi-helm)
FLINK_OPERATOR_VERSION ?= 1.15.0## Flink Kubernetes Operator release (Helm chart from the Apache archive)
RELEASE ?= sales-aggregator## Helm release name of the job and the seeder
CHART ?= helm/sales-aggregator## path of the Helm chart
FLINK_DEPLOYMENT ?= sales-aggregator## name of the FlinkDeployment the chart creates
TOPIC ?=## topic to print with make read, e.g. revenue-per-product
WAIT ?= 600s## how long kubectl and helm wait for a resource to become ready
DASHBOARD_SERVICE ?= sales-aggregator-dashboard## Service of the live dashboard the chart creates
PROMETHEUS_STACK_VERSION ?= 81.6.2## kube-prometheus-stack chart release (make monitoring)
MONITORING_NAMESPACE ?= monitoring## namespace of Prometheus and Grafana (make monitoring)
GRAFANA_PORT ?= 3000## local port of Grafana (make grafana)
BACKFILL_WAIT ?= 3600## make backfill-k8s: how long (seconds) to wait for the backfill's job to finish
KIND_MIN_MEMORY_GIB ?= 16## make kind-up warns when Docker has less memory (GiB) than make deploy e2e needs (k8s/README.md)

# The kind node image is pinned (tag and digest) in kind-config.yaml; the Kafka version in
# k8s/kafka-cluster.yaml (and the reader pod in k8s/e2e/); the image tag is the project version.
KIND_CONFIG := kind-config.yaml
# Flink's shared state (checkpoints, savepoints, HA) on the host: outside target/, since Flink
# writes it as UID 9999 and make clean could not delete it; make kind-down gives it back to you.
KIND_STATE_DIR := kind-state
JOB_IMAGE_TAR = target/jib/sales-aggregator-job.tar
SEEDER_IMAGE_TAR = target/jib/sales-aggregator-seeder.tar
DASHBOARD_IMAGE_TAR = target/jib/sales-aggregator-dashboard.tar
KUBECTL = kubectl --context kind-$(KIND_CLUSTER)
HELM = helm --kube-context kind-$(KIND_CLUSTER)
CERT_MANAGER_URL = https://github.com/cert-manager/cert-manager/releases/download/$(CERT_MANAGER_VERSION)/cert-manager.yaml
STRIMZI_CHART = oci://quay.io/strimzi-helm/strimzi-kafka-operator
# The archive keeps every release; downloads.apache.org drops a release when the next one ships.
FLINK_OPERATOR_CHART = https://archive.apache.org/dist/flink/flink-kubernetes-operator-$(FLINK_OPERATOR_VERSION)/flink-kubernetes-operator-$(FLINK_OPERATOR_VERSION)-helm.tgz

.PHONY: images
images: jdk ## build the job, seeder and dashboard images as tarballs with Jib (target/jib/*.tar)
	$(MVN) -Dimages -DskipTests -pl sales-job,sales-seeder,sales-dashboard -am package

.PHONY: kind-up
kind-up: ## create the kind cluster and install cert-manager, Strimzi and the Flink operator (idempotent)
	@command -v kind >/dev/null && command -v kubectl >/dev/null && command -v helm >/dev/null && \
		command -v curl >/dev/null || { echo "kind-up needs kind, kubectl, helm and curl on PATH"; exit 1; }
	@# Everything make deploy e2e starts needs about KIND_MIN_MEMORY_GIB (k8s/README.md).
	@mem=$$(docker info --format '{{.MemTotal}}' 2>/dev/null || true); \
	if [ -n "$$mem" ] && [ "$$mem" -lt $$(( $(KIND_MIN_MEMORY_GIB) * 1073741824 )) ]; then \
		echo "warning: Docker has $$(( mem / 1048576 )) MiB of memory; make deploy e2e needs at least" \
			"$(KIND_MIN_MEMORY_GIB) GiB (k8s/README.md): pods would be OOM-killed or evicted" >&2; \
	fi
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
	$(HELM) upgrade --install flink-kubernetes-operator $(FLINK_OPERATOR_CHART) \
		--namespace flink-operator --create-namespace \
		--set 'watchNamespaces={$(NAMESPACE)}' \
		--wait --timeout $(WAIT)
	@echo
	@echo "kind cluster $(KIND_CLUSTER) is ready. Next: make deploy (builds and loads the images)"

.PHONY: kind-down
kind-down: ## give the Flink state in kind-state/ back to your user, then delete the kind cluster
	@# Flink wrote it as UID 9999; root in the kind node can hand it back (Docker provider).
	-docker exec $(KIND_CLUSTER)-control-plane chown -R $$(id -u):$$(id -g) /var/lib/flink-state
	kind delete cluster --name $(KIND_CLUSTER)
	@echo "Flink state (checkpoints, savepoints) stays in $(KIND_STATE_DIR)/; rm -rf $(KIND_STATE_DIR) deletes it."

.PHONY: kind-load
kind-load: ## load the image tarballs of make images into the kind nodes
	@test -f $(JOB_IMAGE_TAR) && test -f $(SEEDER_IMAGE_TAR) && test -f $(DASHBOARD_IMAGE_TAR) || \
		{ echo "run make images first"; exit 1; }
	kind load image-archive $(JOB_IMAGE_TAR) --name $(KIND_CLUSTER)
	kind load image-archive $(SEEDER_IMAGE_TAR) --name $(KIND_CLUSTER)
	kind load image-archive $(DASHBOARD_IMAGE_TAR) --name $(KIND_CLUSTER)

# scripts/await-flink job: waits until the operator has reconciled the FlinkDeployment's current
# spec (.status.observedGeneration = .metadata.generation), its job is a new one when the spec
# changed (another .status.jobStatus.startTime), STABLE and RUNNING; helm --wait does not wait for
# a custom resource. With --parallelism, until the REST API shows every vertex at it.
AWAIT_FLINK = KUBECTL="$(KUBECTL)" scripts/await-flink
FLINK_GENERATION_AND_START = $(KUBECTL) get flinkdeployment/$(FLINK_DEPLOYMENT) -n $(NAMESPACE) \
	-o jsonpath='{.metadata.generation} {.status.jobStatus.startTime}' 2>/dev/null || true
define job_running
	$(AWAIT_FLINK) job --name $(FLINK_DEPLOYMENT) --namespace $(NAMESPACE) --timeout $(WAIT)
endef

# helm upgrade (or install) of the chart with $(1), then the wait above, comparing with the
# generation and job start time from before; $(2): the parallelism to check (empty: none).
define upgrade_and_await
	@# helm upgrade, then wait: .status.observedGeneration = .metadata.generation, a new jobStatus.startTime
	@# when the generation moved, STABLE, RUNNING$(if $(2),; then every vertex RUNNING at parallelism $(2) (REST API)).
	before=$$($(FLINK_GENERATION_AND_START)); \
	$(HELM) upgrade --install $(RELEASE) $(CHART) --namespace $(NAMESPACE) $(1) \
		--wait --timeout $(WAIT) && \
	$(AWAIT_FLINK) job --name $(FLINK_DEPLOYMENT) --namespace $(NAMESPACE) --timeout $(WAIT) \
		--previous-generation "$${before%% *}" --previous-start-time "$${before#* }" \
		$(if $(2),--parallelism $(2))
endef

.PHONY: deploy
deploy: images kind-load ## build and load the images, apply k8s/, wait for Kafka, install the chart, wait for the job RUNNING
	$(KUBECTL) apply -k k8s/
	$(KUBECTL) wait kafka/sales-kafka -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(KUBECTL) wait kafkauser --all -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(KUBECTL) wait kafkatopic --all -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(call upgrade_and_await,)
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

# A savepoint as a FlinkStateSnapshot (k8s/ops/savepoint.yaml, operator 1.15's snapshot resources):
# created under a fresh name for FLINK_DEPLOYMENT, then awaited until COMPLETED (fails on FAILED or
# ABANDONED). Its path is under the chart's state.savepoints.dir, /flink-state/<release>/savepoints,
# which is $(KIND_STATE_DIR)/<release>/savepoints on the host.
SAVEPOINT_MANIFEST := k8s/ops/savepoint.yaml

.PHONY: savepoint
savepoint: ## take a savepoint of the running job (a FlinkStateSnapshot), wait until COMPLETED, print its path
	@# A FlinkStateSnapshot resource (operator 1.15), awaited until its .status.state is COMPLETED.
	snapshot=$$(sed -e 's/^\(  generateName:\) sales-aggregator-/\1 $(FLINK_DEPLOYMENT)-/' \
		-e 's/^\(    name:\) sales-aggregator$$/\1 $(FLINK_DEPLOYMENT)/' $(SAVEPOINT_MANIFEST) | \
		$(KUBECTL) create -n $(NAMESPACE) -f - -o name) && \
	path=$$($(AWAIT_FLINK) savepoint --name "$${snapshot#*/}" --namespace $(NAMESPACE) --timeout $(WAIT)) && \
	echo "Savepoint $${snapshot#*/}: $$path" && \
	echo "On this machine: $(KIND_STATE_DIR)/$${path#*/flink-state/}"

# A backfill (helm/sales-aggregator values backfill.*): a second FlinkDeployment, stateless, that
# recomputes [FROM, TO) into the output topics plus SUFFIX and ends FINISHED; its KafkaTopics and
# KafkaUser sales-backfill come with it. A new range changes spec.job.args: the operator then
# deletes the finished cluster and submits a new job (k8s/README.md, Backfill).
BACKFILL_DEPLOYMENT = $(FLINK_DEPLOYMENT)-backfill
BACKFILL_GENERATION_AND_START = $(KUBECTL) get flinkdeployment/$(BACKFILL_DEPLOYMENT) -n $(NAMESPACE) \
	-o jsonpath='{.metadata.generation} {.status.jobStatus.startTime}' 2>/dev/null || true
BACKFILL_OUTPUTS = revenue-per-seller-1m units-per-product-5m revenue-per-product sales-per-region \
	region-trend-1m sales-dlq sales-late

.PHONY: backfill-k8s
backfill-k8s: ## recompute FROM..TO into the topics <output>SUFFIX (a second FlinkDeployment), wait until FINISHED
	@test -n "$(FROM)" && test -n "$(TO)" || \
		{ echo "usage: make backfill-k8s FROM=<ISO-8601> TO=<ISO-8601> [SUFFIX=.backfill]"; exit 1; }
	@# helm upgrade with backfill.* (the chart refuses a bad range), then its KafkaUser and topics
	@# Ready, then await-flink finished: the current spec reconciled, a new job when the range
	@# changed, STABLE and FINISHED; a FAILED deployment or job stops the wait with its error.
	before=$$($(BACKFILL_GENERATION_AND_START)); \
	$(HELM) upgrade $(RELEASE) $(CHART) --namespace $(NAMESPACE) --reuse-values \
		--set backfill.enabled=true --set-string 'backfill.from=$(FROM)' \
		--set-string 'backfill.to=$(TO)' --set-string 'backfill.suffix=$(SUFFIX)' \
		--wait --timeout $(WAIT) && \
	$(KUBECTL) wait kafkauser/sales-backfill -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT) && \
	$(KUBECTL) wait kafkatopic -n $(NAMESPACE) -l app.kubernetes.io/instance=$(RELEASE),app.kubernetes.io/component=backfill \
		--for=condition=Ready --timeout=$(WAIT) && \
	$(AWAIT_FLINK) finished --name $(BACKFILL_DEPLOYMENT) --namespace $(NAMESPACE) --timeout $(BACKFILL_WAIT) \
		--previous-generation "$${before%% *}" --previous-start-time "$${before#* }"
	@echo
	@echo "Backfill $(FROM) .. $(TO) FINISHED. Its figures are in $(foreach t,$(BACKFILL_OUTPUTS),$(t)$(SUFFIX)); e.g."
	@echo "  make read TOPIC=revenue-per-product$(SUFFIX) READ_MAX=10"
	@echo "  make figure-check-backfill    (the suffixed outputs against the reference model over the range)"
	@echo "Another range: make backfill-k8s FROM=... TO=... (the same SUFFIX adds to these topics; another replaces them)."
	@echo "Remove the backfill (its FlinkDeployment, KafkaUser and topics, with the figures):"
	@echo "  helm upgrade $(RELEASE) $(CHART) -n $(NAMESPACE) --reuse-values --set backfill.enabled=false"

PARALLELISM ?=## make scale: the new parallelism of the job
TAG ?=## make upgrade: the image tag to upgrade to (build it with make images first)

.PHONY: scale
scale: ## rescale the job (savepoint, restore at PARALLELISM), wait until every vertex runs at it
	@test -n "$(PARALLELISM)" || { echo "usage: make scale PARALLELISM=<n>"; exit 1; }
	$(call upgrade_and_await,--reset-then-reuse-values --set job.parallelism=$(PARALLELISM),$(PARALLELISM))

.PHONY: upgrade
upgrade: ## upgrade the job, seeder and dashboard images to TAG (stop with savepoint, restore), wait until it runs
	@test -n "$(TAG)" || { echo "usage: make upgrade TAG=<tag>"; exit 1; }
	$(call upgrade_and_await,--reset-then-reuse-values --set job.image.tag=$(TAG) --set seeder.image.tag=$(TAG) --set dashboard.image.tag=$(TAG))

.PHONY: logs
logs: ## follow the JobManager log
	$(KUBECTL) logs -n $(NAMESPACE) -f --tail=200 -l app=$(FLINK_DEPLOYMENT),component=jobmanager

# A one-off console consumer as KafkaUser sales-reader, reading committed records only
# (isolation.level=read_committed): the pod in k8s/e2e/reader-pod.yaml, run by scripts/run-pod.
READ_MAX ?=## make read: stop after this many records (empty = follow until Ctrl-C)

.PHONY: read
read: ## print a topic's committed records as KafkaUser sales-reader: make read TOPIC=revenue-per-product
	@test -n "$(TOPIC)" || { echo "usage: make read TOPIC=<topic>"; exit 1; }
	@# A pod that reads with isolation.level=read_committed (k8s/e2e/reader-pod.yaml).
	KUBECTL="$(KUBECTL)" scripts/run-pod --namespace $(NAMESPACE) --timeout $(WAIT) \
		k8s/e2e/reader-pod.yaml TOPIC=$(TOPIC) MAX_MESSAGES=$(READ_MAX)

# The figure check is the chart's test hook (templates/tests/figure-check-pod.yaml):
# com.salesaggregator.verify.FigureCheck, in the seeder image, as KafkaUser sales-e2e-verifier
# (k8s/e2e/kafka-user-verifier.yaml, read-only). helm test fails when the check exits non-zero.
# make figure-check-backfill runs the chart's second test hook, rendered with backfill.enabled:
# FigureCheck with --suffix, --from and --to, on the backfill's suffixed outputs.
define figure_check
	$(KUBECTL) apply -n $(NAMESPACE) -f k8s/e2e/kafka-user-verifier.yaml
	$(KUBECTL) wait kafkauser/sales-e2e-verifier -n $(NAMESPACE) --for=condition=Ready --timeout=$(WAIT)
	$(HELM) test $(RELEASE) --namespace $(NAMESPACE) --logs --timeout $(WAIT) --filter name=$(1)
endef

.PHONY: figure-check
figure-check: ## compare the live figures with the reference model recomputed from the input topics (helm test)
	$(call figure_check,$(FLINK_DEPLOYMENT)-figure-check)

.PHONY: figure-check-backfill
figure-check-backfill: ## compare the backfill's suffixed outputs with the reference model over its range (helm test)
	$(call figure_check,$(FLINK_DEPLOYMENT)-figure-check-backfill)

# Not run in CI (CI has no Docker and no cluster): the whole path on a developer's machine.
# After a deploy, a savepoint upgrade or a rescale (each already awaited by its target): the job
# runs the current spec, one more committed record of a windowed output can be read, and the
# figures equal the reference model's.
define e2e_running
	$(job_running)
	+$(MAKE) read TOPIC=region-trend-1m READ_MAX=1
	+$(MAKE) figure-check
endef

.PHONY: e2e
e2e: ## end to end on kind (outside CI): deploy, savepoint, rescale 2->4, upgrade; figures checked after each
	$(MAKE) kind-up deploy
	$(e2e_running)
	$(MAKE) read TOPIC=revenue-per-product READ_MAX=1
	$(MAKE) savepoint
	$(MAKE) scale PARALLELISM=4
	$(e2e_running)
	@# A spec change (here a Flink setting) is a savepoint upgrade for the operator: stop with a
	@# savepoint, restore the changed job from it. A new image tag (make upgrade) takes the same path.
	$(call upgrade_and_await,--reset-then-reuse-values --set-string 'job.flinkConfiguration.execution\.checkpointing\.interval=15s')
	$(e2e_running)
	@echo "e2e: deployed, savepoint taken, rescaled to 4, upgraded through a savepoint; after each"
	@echo "     step the settled figures equalled the reference model recomputed from the inputs."
