# sales-aggregator: `make help` lists the targets.

SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

# ---- variables (override on the command line: make run KAFKA_PORT=19092)
KAFKA_PORT ?= 9092## port of the local Kafka broker (make run)
FLINK_UI_PORT ?= 8081## port of the Flink web UI (make run)
DASHBOARD_PORT ?= 8088## port of the live dashboard (make run)
RATE ?= 20## seeder sales per second (make run)
SEED ?=## seeder seed (make run); empty = random
FROM ?=## make backfill, backfill-k8s: start of the event-time range (ISO-8601, e.g. 2026-12-01T10:00:00Z)
TO ?=## make backfill, backfill-k8s: end of the range (exclusive), after FROM
SUFFIX ?= .backfill## make backfill, backfill-k8s: appended to each output topic's name for the backfill's results
MVN_FLAGS ?= -B## extra Maven flags, e.g. MVN_FLAGS="-B -o" to work offline
SOAK_MINUTES ?= 30## how long make soak runs its load, in minutes
SOAK_SEED ?=## seed of make soak's data and fault schedule; empty = random (printed)
SOAK_RATE ?= 20## sales per second during make soak
BENCH_LINES ?= 2000000## sale lines make bench preloads; e.g. 100000 for a quick run
BENCH_REPS ?= 3## measured runs per contender (make bench), after the warm-ups
BENCH_WARMUPS ?= 1## unmeasured warm-up runs per contender (make bench)
BENCH_CONTENDERS ?= ceiling,job,backfill,sql,streams,latency,skew## what make bench measures (always in this order; backfill: the job as a backfill over the whole data set; latency: the job, and Kafka Streams if streams ran; skew: the job at parallelism 4)
BENCH_LATENCY ?= 4m## make bench: how long latency is measured per contender at a fixed input rate, after 60 s of warm-up (plus 60 s for windows to close); 4m gives at least 20 key-windows per windowed output
BENCH_LATENCY_WARMUP ?= 60s## make bench: how long the latency run feeds each contender before it measures
BENCH_LATENCY_RATE ?= 0## make bench: sale lines/s the latency run feeds; 0 = half the job's measured throughput
BENCH_JOB_OPTIONS ?=## make bench: the job's own options on top of its defaults, e.g. "dedup-horizon=1m"
BENCH_FLINK_CONF ?=## make bench: Flink settings of the bench's cluster, e.g. "state.changelog.enabled=true dstl.dfs.base-path=file:///tmp/changelog"
FRESHNESS ?= 5m## make freshness: how long it watches make run's per-minute trend
BENCH_SEED ?= 42## seed of the make bench data set
STATE_SALES ?= 200000,1000000## make bench-state: the data sizes (sales) whose difference gives the bytes per sale identity
STATE_BACKENDS ?= hashmap,rocksdb## make bench-state: the state backends measured (RocksDB with incremental checkpoints)
STATE_STEADY ?= 2000## make bench-state: sales/s of the steady-state run (dedup horizon 30 s, 3 min; heap backend); 0 = none
BENCH_JVM ?= -Xms6g -Xmx6g -Xmn768m -XX:+UseG1GC## JVM options of make bench (one JVM: broker, Flink, Kafka Streams)

# A JDK 21+: JAVA_HOME, else `java` on PATH, else /usr/lib/jvm/*; found once, on first use.
JDK_HOME = $(eval JDK_HOME := $(shell scripts/find-jdk 2>/dev/null))$(JDK_HOME)
MVN = JAVA_HOME="$(JDK_HOME)" ./mvnw $(MVN_FLAGS)
JAVA = "$(JDK_HOME)/bin/java"
JDK_MAJOR = $(eval JDK_MAJOR := $(shell $(JAVA) -XshowSettings:properties -version 2>&1 | \
	sed -n 's/^ *java.specification.version = //p'))$(JDK_MAJOR)
# JDK 24+ warns about sun.misc.Unsafe use inside Kafka and Flink; JDK 21 rejects this flag.
UNSAFE_FLAG = $(if $(shell [ "$(JDK_MAJOR)" -ge 24 ] 2>/dev/null && echo y),--sun-misc-unsafe-memory-access=allow,)
LOCAL_CLASSPATH := target/local-classpath.txt
SEEDER_CLASSPATH := target/seeder-classpath.txt
SOAK_CLASSPATH := target/soak-classpath.txt
BENCH_CLASSPATH := target/bench-classpath.txt
JVM_OPENS := --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
	--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
	--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
	--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
	--add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
	--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED

# Runs a command as the terminal's foreground job, so that Ctrl-C reaches only the program: it
# stops cleanly and `make` exits with the program's status (0) instead of dying of SIGINT.
foreground = if [ -t 0 ] && [ -t 1 ]; then set -m; $(1) & fg %1 >/dev/null; else exec $(1); fi

.PHONY: help
help: ## show this help
	@echo "sales-aggregator: streaming sales analytics on Flink and Kafka"
	@echo
	@echo "Targets:"
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'
	@echo
	@echo "Variables:"
	@grep -hE '^[A-Z_]+ \?=.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([A-Z_]+) \?= ?([^#]*)## (.*)/\1|\2|\3/' | \
		awk -F'|' '{printf "  %-12s %s (default: %s)\n", $$1, $$3, ($$2 == "" ? "none" : $$2)}'

.PHONY: jdk
jdk: ## check that a JDK 21+ is available and show which one is used
	@scripts/find-jdk >/dev/null || exit 1
	@echo "Using JDK at $(JDK_HOME)"

.PHONY: build
build: jdk ## compile, check formatting and package the job jar (no tests)
	$(MVN) -DskipTests verify

.PHONY: test
test: jdk ## run every test: unit tests, then integration tests on a real broker and Flink
	@$(MVN) verify || { echo; echo "make test failed. Each test class's log (broker, Flink, clients):"; \
		echo "  <module>/target/surefire-reports/<class>-output.txt (unit tests)"; \
		echo "  <module>/target/failsafe-reports/<class>-output.txt (ITCases)"; exit 1; }

.PHONY: soak
soak: jdk ## seeded load with random faults (TaskManager kill, broker restart, savepoint rescale), then the exact check; not in make test
	@echo "Building the soak ..."
	@$(MVN) -q -Dspotless.check.skip=true -pl sales-soak -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(SOAK_CLASSPATH) -DincludeScope=runtime
	@mkdir -p target/soak
	@$(JAVA) $(JVM_OPENS) $(UNSAFE_FLAG) -Dlog4j2.configurationFile=log4j2-soak.properties \
		-Dsoak.log.file=target/soak/soak.log \
		-cp "sales-soak/target/classes:$$(cat $(SOAK_CLASSPATH))" \
		com.salesaggregator.soak.FaultSoak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE) \
		--dir target/soak $(if $(SOAK_SEED),--seed $(SOAK_SEED),)

.PHONY: fmt
fmt: jdk ## format the Java sources (google-java-format, AOSP style)
	$(MVN) -q -Pbench spotless:apply

.PHONY: run
run: jdk ## run broker, topics, seeder, job, live view and dashboard locally until Ctrl-C
	@echo "Building (first run downloads dependencies) ..."
	@$(MVN) -q -Dspotless.check.skip=true -pl sales-local -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(LOCAL_CLASSPATH) -DincludeScope=runtime
	@$(call foreground,$(JAVA) $(JVM_OPENS) $(UNSAFE_FLAG) -Dlog4j2.configurationFile=log4j2-local.xml \
		-Dlocal.log.file=target/local/platform.log \
		-cp "sales-local/target/classes:$$(cat $(LOCAL_CLASSPATH))" \
		com.salesaggregator.local.LocalPlatform --kafka-port $(KAFKA_PORT) --flink-ui-port $(FLINK_UI_PORT) \
		--dashboard-port $(DASHBOARD_PORT) --rate $(RATE) \
		$(if $(SEED),--seed $(SEED),))

.PHONY: backfill
backfill: jdk ## recompute an event-time range beside the live figures: make backfill FROM=2026-12-01T10:00:00Z TO=2026-12-01T11:00:00Z [SUFFIX=.backfill], against make run's broker (KAFKA_PORT)
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make backfill FROM=<ISO-8601> TO=<ISO-8601> [SUFFIX=.backfill] [KAFKA_PORT=9092]"; exit 2; }
	@$(MVN) -q -Dspotless.check.skip=true -pl sales-local -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(LOCAL_CLASSPATH) -DincludeScope=runtime
	@$(JAVA) $(JVM_OPENS) $(UNSAFE_FLAG) -Dlog4j2.configurationFile=log4j2-local.xml \
		-Dlocal.log.file=target/backfill/backfill.log \
		-cp "sales-local/target/classes:$$(cat $(LOCAL_CLASSPATH))" \
		com.salesaggregator.local.LocalBackfill --kafka-port $(KAFKA_PORT) --from "$(FROM)" --to "$(TO)" \
		--suffix "$(SUFFIX)"

.PHONY: seeder
seeder: jdk ## run only the seeder against a broker: make seeder ARGS="--bootstrap-servers host:port --rate 500"
	@$(MVN) -q -Dspotless.check.skip=true -pl sales-seeder -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(SEEDER_CLASSPATH) -DincludeScope=runtime
	@$(JAVA) $(UNSAFE_FLAG) -cp "sales-seeder/target/classes:$$(cat $(SEEDER_CLASSPATH))" com.salesaggregator.seeder.Seeder $(ARGS)

.PHONY: bench
bench: jdk ## measure the job against the consume-and-parse ceiling, Flink SQL and Kafka Streams
	@echo "Building the benchmark (the first run downloads the peers' dependencies) ..."
	@$(MVN) -q -Pbench -Dspotless.check.skip=true -pl sales-bench -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(BENCH_CLASSPATH) -DincludeScope=runtime
	@mkdir -p target/bench
	@$(JAVA) $(JVM_OPENS) $(UNSAFE_FLAG) $(BENCH_JVM) -Dlog4j2.configurationFile=sales-bench/log4j2-bench.xml \
		-cp "sales-bench/target/classes:$$(cat $(BENCH_CLASSPATH))" \
		com.salesaggregator.bench.Bench --lines "$(BENCH_LINES)" --reps "$(BENCH_REPS)" \
		--warmups "$(BENCH_WARMUPS)" --contenders "$(BENCH_CONTENDERS)" \
		--latency-warmup "$(BENCH_LATENCY_WARMUP)" --latency-duration "$(BENCH_LATENCY)" --latency-rate "$(BENCH_LATENCY_RATE)" \
		--flink-conf "$(BENCH_FLINK_CONF)" --job-options "$(BENCH_JOB_OPTIONS)" --seed "$(BENCH_SEED)"

.PHONY: freshness
freshness: jdk ## how soon make run's per-minute trend shows each minute (provisional) and turns final: run beside make run; KAFKA_PORT, FRESHNESS=5m
	@$(MVN) -q -Pbench -Dspotless.check.skip=true -pl sales-bench -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(BENCH_CLASSPATH) -DincludeScope=runtime
	@$(JAVA) $(UNSAFE_FLAG) -cp "sales-bench/target/classes:$$(cat $(BENCH_CLASSPATH))" \
		com.salesaggregator.bench.Freshness --bootstrap-servers localhost:$(KAFKA_PORT) \
		--duration $(FRESHNESS)

.PHONY: bench-state
bench-state: jdk ## measure the bytes each remembered sale identity costs in the dedup state (heap, RocksDB) and one TaskManager's capacity; not in make test
	@echo "Building the benchmark ..."
	@$(MVN) -q -Pbench -Dspotless.check.skip=true -pl sales-bench -am compile dependency:build-classpath \
		-Dmdep.outputFile=$(CURDIR)/$(BENCH_CLASSPATH) -DincludeScope=runtime
	@mkdir -p target/bench-state
	@$(JAVA) $(JVM_OPENS) $(UNSAFE_FLAG) $(BENCH_JVM) -Dlog4j2.configurationFile=sales-bench/log4j2-bench.xml \
		-Dbench.log.file=target/bench-state/bench.log \
		-cp "sales-bench/target/classes:$$(cat $(BENCH_CLASSPATH))" \
		com.salesaggregator.bench.StateCost --sales "$(STATE_SALES)" --backends "$(STATE_BACKENDS)" \
		--steady-rate "$(STATE_STEADY)" --seed "$(BENCH_SEED)"

.PHONY: clean
clean: jdk ## remove build output and local data
	$(MVN) -q -Pbench clean

include k8s.mk
