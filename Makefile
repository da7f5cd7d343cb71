# StreamPulse: the user's entry points. `make help` lists them.
# Every target is thin: the work lives in Maven modules, Helm and kubectl.

MVN ?= ./mvnw -B
ARGS ?=

.DEFAULT_GOAL := help

##@ Build and test

.PHONY: build
build: ## Compile, format-check and package every module (no tests)
	$(MVN) -DskipTests verify

.PHONY: test
test: monitoring-tools ## Run every test: unit, harness, integration (real Kafka, PostgreSQL, Flink, Prometheus, Alertmanager), Helm/k8s checks
	$(MVN) verify

.PHONY: monitoring-tools
monitoring-tools: ## Install promtool, prometheus and alertmanager (Debian packages) if missing
	@bash .ci/install-monitoring-tools

.PHONY: fmt
fmt: ## Format all Java sources (google-java-format, AOSP)
	$(MVN) spotless:apply

##@ Local pipeline

LOCAL_JAVA_OPTS ?= -Xmx3g

.PHONY: run
run: ## Kafka, PostgreSQL, the job (web UI :8081) and the generator in one process; Ctrl-C stops. ARGS="--help"
	$(MVN) -q -pl local -am install -Dmaven.test.skip=true -Dspotless.check.skip=true
	java @local/target/launcher/jvm.args $(LOCAL_JAVA_OPTS) -cp "local/target/classes:$$(cat local/target/launcher/classpath.txt)" com.streampulse.local.LocalMain $(ARGS)

.PHONY: run-clean
run-clean: ## make run with a fresh database (deletes .local-data)
	$(MAKE) run ARGS="--clean $(ARGS)"

.PHONY: generate
generate: ## Send events to Kafka (default localhost:9092, the one make run starts). ARGS="--help"
	$(MVN) -q -pl generator -am install -Dmaven.test.skip=true -Dspotless.check.skip=true
	java -jar generator/target/streampulse-generator-*-all.jar $(ARGS)

##@ Autoscaler

AUTOSCALER_JAR ?= autoscaler/target/streampulse-autoscaler.jar

.PHONY: autoscaler-build
autoscaler-build: ## Build the autoscaler's runnable jar: autoscaler/target/streampulse-autoscaler.jar
	$(MVN) -q -pl autoscaler -am -DskipTests package

.PHONY: autoscaler-test
autoscaler-test: ## Run the autoscaler's tests: decisions, mock API server, real Kafka
	$(MVN) -q -pl config,testkit -am install -Dmaven.test.skip=true -Dspotless.check.skip=true
	$(MVN) -pl autoscaler verify

.PHONY: autoscaler-sim
autoscaler-sim: ## Replay load traces against a model job: our policy vs KEDA and the operator's autoscaler, targets met or missed
	$(MVN) -q -pl config,testkit -am install -Dmaven.test.skip=true -Dspotless.check.skip=true
	$(MVN) -q -pl autoscaler compile exec:java

.PHONY: autoscaler-loop
autoscaler-loop: ## The real Controller scaling the real job on a MiniCluster (adaptive scheduler), long trace, both modes
	$(MVN) -pl autoscaler/loop -am test-compile surefire:test -Dtest=ClosedLoopIT -Dsurefire.failIfNoSpecifiedTests=false -Dloop.full=true -Dspotless.check.skip=true

##@ Kubernetes

# Tools and the kind cluster. Versions come from the parent POM (the one place they live),
# read once per make run with Maven's help plugin.
KIND ?= kind
KUBECTL ?= kubectl
HELM ?= helm
DOCKER ?= docker
KIND_CLUSTER ?= streampulse
K8S_NAMESPACE ?= streampulse
OPERATOR_NAMESPACE ?= flink-operator
OPERATOR_RELEASE ?= flink-kubernetes-operator
CERT_MANAGER_VERSION ?= v1.16.2
HELM_RELEASE ?= streampulse
HELM_ARGS ?=
# DEV ONLY credentials for the kind cluster's PostgreSQL (k8s/dev/); never use them elsewhere.
DEV_PG_USER ?= streampulse
DEV_PG_PASSWORD ?= streampulse-dev
KAFKA_PARTITIONS ?= 4
E2E_TIMEOUT ?= 600s
E2E_WAIT_SECONDS ?= 300
DEPLOY_WAIT_SECONDS ?= 600
pom_value = $(shell $(MVN) -q -N org.apache.maven.plugins:maven-help-plugin:3.5.1:evaluate -Dexpression=$(1) -DforceStdout)
PROJECT_VERSION ?= $(eval PROJECT_VERSION := $$(call pom_value,project.version))$(PROJECT_VERSION)
FLINK_IMAGE ?= $(eval FLINK_IMAGE := $$(call pom_value,flink.image))$(FLINK_IMAGE)
JRE_IMAGE ?= $(eval JRE_IMAGE := $$(call pom_value,autoscaler.base.image))$(JRE_IMAGE)
FLINK_OPERATOR_VERSION ?= $(eval FLINK_OPERATOR_VERSION := $$(call pom_value,flink.operator.version))$(FLINK_OPERATOR_VERSION)
IMAGE_TAG ?= $(PROJECT_VERSION)
OPERATOR_REPO_URL ?= https://archive.apache.org/dist/flink/flink-kubernetes-operator-$(FLINK_OPERATOR_VERSION)/
K8S_IMAGES = streampulse-job streampulse-autoscaler streampulse-generator
# Every kubectl and helm call names the kind cluster's context: the current context may be
# another cluster. KUBE_CONTEXT overrides it (deploy's MakefileTest checks every call).
KUBE_CONTEXT ?= kind-$(KIND_CLUSTER)
K = $(KUBECTL) --context $(KUBE_CONTEXT)
H = $(HELM) --kube-context $(KUBE_CONTEXT)
KC = $(K) -n $(K8S_NAMESPACE)
# k8s/dev/ rendered for K8S_NAMESPACE and IMAGE_TAG: a kustomize overlay written per run
# (kustomize's namespace and images), applied with kubectl's built-in kustomize. Kustomize takes
# relative paths only, hence a fixed place three levels below the repository root.
K8S_OVERLAYS = target/k8s-overlays
KUSTOMIZE = $(K) kustomize --load-restrictor LoadRestrictionsNone
ENSURE_NAMESPACE = $(K) create namespace $(K8S_NAMESPACE) --dry-run=client -o yaml | $(K) apply -f -
# The chart's resource prefix (its fullname helper): the release name if it says streampulse.
FULLNAME = $(if $(findstring streampulse,$(HELM_RELEASE)),$(HELM_RELEASE),$(HELM_RELEASE)-streampulse)
# psql inside the dev PostgreSQL pod, as the user from the Secret; arguments follow.
PSQL = $(KC) exec statefulset/postgres -- sh -c 'exec psql -U "$$POSTGRES_USER" -d streampulse -v ON_ERROR_STOP=1 -P pager=off "$$@"' psql

.PHONY: k8s-versions
k8s-versions: ## Print the versions the images and the operator install use (from the POM)
	@echo "project.version        $(PROJECT_VERSION)"
	@echo "flink.image            $(FLINK_IMAGE)"
	@echo "autoscaler.base.image  $(JRE_IMAGE)"
	@echo "flink.operator.version $(FLINK_OPERATOR_VERSION)"

.PHONY: kind-up
kind-up: ## Create the kind cluster (KIND_CLUSTER) unless it exists
	@if $(KIND) get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)'; then \
	  echo "kind cluster $(KIND_CLUSTER) already exists"; \
	else \
	  $(KIND) create cluster --name $(KIND_CLUSTER) --wait 120s; \
	fi
	$(K) cluster-info

# cert-manager's controller, cainjector and webhook must all be Available before the operator's
# chart asks for a certificate; waiting on the webhook's rollout alone was not enough.
.PHONY: operator-install
operator-install: ## Install cert-manager and the Flink Kubernetes Operator (operator-config/)
	$(K) apply -f https://github.com/cert-manager/cert-manager/releases/download/$(CERT_MANAGER_VERSION)/cert-manager.yaml
	$(K) wait --for=condition=Available deployment --all -n cert-manager --timeout=300s
	$(ENSURE_NAMESPACE)
	$(H) repo add flink-operator-repo-$(FLINK_OPERATOR_VERSION) $(OPERATOR_REPO_URL) --force-update
	$(H) upgrade --install $(OPERATOR_RELEASE) flink-operator-repo-$(FLINK_OPERATOR_VERSION)/flink-kubernetes-operator \
	  --version $(FLINK_OPERATOR_VERSION) --namespace $(OPERATOR_NAMESPACE) --create-namespace \
	  -f operator-config/values.yaml --set 'watchNamespaces={$(K8S_NAMESPACE)}' \
	  --set-file 'defaultConfiguration.flink-conf\.yaml=operator-config/flink-conf.yaml' \
	  --wait --timeout 10m
	$(K) -n $(OPERATOR_NAMESPACE) get pods

.PHONY: images
images: ## Build the job, autoscaler and generator jars and their images (tag IMAGE_TAG)
	$(MVN) -DskipTests -pl job,autoscaler,generator -am package
	$(DOCKER) build -f job/Dockerfile --build-arg FLINK_IMAGE=$(FLINK_IMAGE) --build-arg JOB_VERSION=$(PROJECT_VERSION) -t streampulse-job:$(IMAGE_TAG) .
	$(DOCKER) build -f autoscaler/Dockerfile --build-arg BASE_IMAGE=$(JRE_IMAGE) -t streampulse-autoscaler:$(IMAGE_TAG) .
	$(DOCKER) build -f generator/Dockerfile --build-arg BASE_IMAGE=$(JRE_IMAGE) --build-arg APP_VERSION=$(PROJECT_VERSION) -t streampulse-generator:$(IMAGE_TAG) .

.PHONY: kind-load
kind-load: ## Load the three images into the kind cluster's node
	for image in $(K8S_IMAGES); do $(KIND) load docker-image $$image:$(IMAGE_TAG) --name $(KIND_CLUSTER) || exit 1; done

.PHONY: k8s-overlays
k8s-overlays: ## Write the kustomize overlays of k8s/dev/ for K8S_NAMESPACE and IMAGE_TAG (target/k8s-overlays)
	mkdir -p $(K8S_OVERLAYS)/dev $(K8S_OVERLAYS)/generator
	printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
	  'namespace: $(K8S_NAMESPACE)' 'resources:' '  - ../../../k8s/dev' > $(K8S_OVERLAYS)/dev/kustomization.yaml
	printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
	  'namespace: $(K8S_NAMESPACE)' 'resources:' '  - ../../../k8s/dev/generator-job.yaml' \
	  'images:' '  - name: streampulse-generator' '    newTag: "$(IMAGE_TAG)"' > $(K8S_OVERLAYS)/generator/kustomization.yaml

.PHONY: deploy-dev-deps
deploy-dev-deps: k8s-overlays ## Kafka (KRaft) and PostgreSQL for kind, the credentials Secret and the topic
	$(ENSURE_NAMESPACE)
	$(KC) create secret generic streampulse-credentials \
	  --from-literal=pg-user='$(DEV_PG_USER)' --from-literal=pg-password='$(DEV_PG_PASSWORD)' \
	  --from-literal=kafka-username= --from-literal=kafka-password= \
	  --dry-run=client -o yaml | $(K) apply -f -
	$(KUSTOMIZE) $(K8S_OVERLAYS)/dev | $(K) apply -f -
	$(KC) rollout status statefulset/kafka --timeout=300s
	$(KC) rollout status statefulset/postgres --timeout=300s
	$(KC) exec statefulset/kafka -- /opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 \
	  --create --if-not-exists --topic content-downloads --partitions $(KAFKA_PARTITIONS) --replication-factor 1

.PHONY: deploy
deploy: ## Install the Helm chart (job, migration hook, autoscaler) and wait for the job to run
	$(H) upgrade --install $(HELM_RELEASE) helm/streampulse --namespace $(K8S_NAMESPACE) \
	  --set job.image.tag=$(IMAGE_TAG) --set autoscaler.image.tag=$(IMAGE_TAG) \
	  --set postgres.sslMode=disable --timeout 10m $(HELM_ARGS)
	@echo "Waiting up to $(DEPLOY_WAIT_SECONDS) s for FlinkDeployment/$(FULLNAME) to run..."
	@deadline=$$(( $$(date +%s) + $(DEPLOY_WAIT_SECONDS) )); \
	until [ "$$($(KC) get flinkdeployment $(FULLNAME) -o jsonpath='{.status.jobStatus.state}' 2>/dev/null)" = RUNNING ]; do \
	  if [ $$(date +%s) -ge $$deadline ]; then \
	    $(KC) describe flinkdeployment $(FULLNAME) | tail -20; exit 1; \
	  fi; \
	  sleep 5; \
	done
	$(KC) get flinkdeployment,pods

.PHONY: e2e
e2e: k8s-overlays ## Run the generator Job, wait for it, then print the rows that reached PostgreSQL
	$(KC) delete job streampulse-generator --ignore-not-found
	$(KUSTOMIZE) $(K8S_OVERLAYS)/generator | $(K) apply -f -
	$(KC) wait job/streampulse-generator --for=condition=complete --timeout=$(E2E_TIMEOUT)
	$(KC) logs job/streampulse-generator --tail=5
	@echo "Waiting up to $(E2E_WAIT_SECONDS) s for the windows to close and reach PostgreSQL..."
	@deadline=$$(( $$(date +%s) + $(E2E_WAIT_SECONDS) )); \
	until [ "$$($(PSQL) -tAc 'SELECT count(*) FROM region_health' 2>/dev/null | tr -d '[:space:]')" -gt 0 ] 2>/dev/null; do \
	  if [ $$(date +%s) -ge $$deadline ]; then echo "No rows in region_health after $(E2E_WAIT_SECONDS) s"; exit 1; fi; \
	  sleep 10; \
	done
	$(PSQL) -c 'SELECT region, window_start, total_downloads, successful_downloads, failed_downloads, success_rate, avg_speed_mbps FROM region_health ORDER BY window_start, region'
	$(PSQL) -c 'SELECT content_id, title, window_start, download_count, successful_downloads, total_size_gb FROM content_stats ORDER BY download_count DESC, content_id LIMIT 10'
	$(PSQL) -c 'SELECT count(*) AS device_rows, sum(total_downloads) AS device_downloads FROM device_stats'
	$(PSQL) -c 'SELECT alert_type, severity, scope, scope_key, window_start, metric_value FROM alerts ORDER BY window_start, alert_type, scope_key'
	$(PSQL) -c 'SELECT reason, count(*) FROM rejected_events GROUP BY reason ORDER BY reason'

.PHONY: undeploy
undeploy: k8s-overlays ## Remove the release, the dev dependencies, the Secret and the job's state volume
	-$(H) uninstall $(HELM_RELEASE) --namespace $(K8S_NAMESPACE) --wait
	$(KC) delete job streampulse-generator --ignore-not-found
	$(KUSTOMIZE) $(K8S_OVERLAYS)/dev | $(K) delete --ignore-not-found -f -
	$(KC) delete secret streampulse-credentials --ignore-not-found
	$(KC) delete pvc $(FULLNAME)-flink-data --ignore-not-found

.PHONY: kind-down
kind-down: ## Delete the kind cluster
	$(KIND) delete cluster --name $(KIND_CLUSTER)


##@ Benchmarks

# make bench: embedded Kafka + PostgreSQL + MiniCluster in one JVM; not part of make test.
BENCH_EVENTS ?= 5000000
BENCH_RUNS ?= 3
BENCH_SEED ?= 42
BENCH_PARTITIONS ?= 8
BENCH_LATENCY_RATE ?= 50000
# 10 s windows (production: 1 minute) measured 320 s: 30 firings due after the 20 s start-up, at
# half the firings per second of 5 s windows (each firing writes ~60-80k content_stats rows).
BENCH_LATENCY_WINDOW_SECONDS ?= 10
BENCH_LATENCY_SECONDS ?= 320
BENCH_SCALE_KEYS ?= 1000000
BENCH_SCALE_MINUTES ?= 2
BENCH_SHAPES ?= catalog,wide,tiny
# Backlog per shape: N for all, or shape:N,... (default catalog:90000000,catalog_1k:40000000,
# wide:8000000,tiny:30000000: catalog lasts the 20 s warm-up + 120 s measured up to ~640,000 events/s;
# tiny and catalog_1k are measured 5 s + 30 s). The curves read the same topics unless
# BENCH_CURVE_EVENTS sets a backlog of their own.
BENCH_SUSTAINED_EVENTS ?=
BENCH_WARMUP_SECONDS ?= 20
BENCH_STEADY_SECONDS ?= 120
BENCH_CURVE_EVENTS ?=
BENCH_CURVE_WARMUP_SECONDS ?= 10
BENCH_CURVE_STEADY_SECONDS ?= 30
# The features section's three jobs this many times, in alternating order, for a spread.
BENCH_FEATURE_ROUNDS ?= 1
# One section at a time, e.g. make bench SECTION=sustained (each phase takes minutes).
SECTION ?= throughput,sustained,features,curves,peer,latency,sink,scale
BENCH_PHASES ?= $(SECTION)
BENCH_JAVA_OPTS ?= -Xmx3g -XX:+UseG1GC
# Every bench JVM writes a GC and safepoint log of its own (one per make run, rotated at 5 x 20 MB),
# and the runs of BenchMain end with its longest pauses: a stall of the whole JVM shows there.
ifndef BENCH_GC_LOG
BENCH_GC_LOG := bench/target/gc-$(shell date -u +%Y%m%dT%H%M%SZ).log
endif
BENCH_GC_OPTS ?= '-Xlog:gc*,safepoint:file=$(BENCH_GC_LOG):time,uptime,level,tags:filecount=5,filesize=20m'
BENCH_JVM = java $(BENCH_JAVA_OPTS) $(BENCH_GC_OPTS) -Duser.timezone=UTC
BENCH_ARGS ?=
BENCH_RUN = $(BENCH_JVM) @bench/target/launcher/jvm.args -Dbench.dir=bench/target/bench \
	-cp "bench/target/classes:$$(cat bench/target/launcher/classpath.txt)" com.streampulse.bench.BenchMain \
	--events=$(BENCH_EVENTS) --runs=$(BENCH_RUNS) --seed=$(BENCH_SEED) --partitions=$(BENCH_PARTITIONS) \
	--latency-rate=$(BENCH_LATENCY_RATE) --latency-seconds=$(BENCH_LATENCY_SECONDS) \
	--latency-window-seconds=$(BENCH_LATENCY_WINDOW_SECONDS) \
	--scale-keys=$(BENCH_SCALE_KEYS) --scale-minutes=$(BENCH_SCALE_MINUTES) --phases=$(BENCH_PHASES) \
	--shapes=$(BENCH_SHAPES) --sustained-events=$(BENCH_SUSTAINED_EVENTS) \
	--warmup-seconds=$(BENCH_WARMUP_SECONDS) --steady-seconds=$(BENCH_STEADY_SECONDS) \
	--curve-events=$(BENCH_CURVE_EVENTS) --curve-warmup-seconds=$(BENCH_CURVE_WARMUP_SECONDS) \
	--curve-steady-seconds=$(BENCH_CURVE_STEADY_SECONDS) \
	--feature-rounds=$(BENCH_FEATURE_ROUNDS) $(BENCH_ARGS) \
	&& bench/gc-pauses $(BENCH_GC_LOG)

.PHONY: bench-build
bench-build: ## Package the bench module and what it runs (job, generator, testkit) in this tree
	$(MVN) -q -pl bench -am package -DskipTests -Dspotless.check.skip=true

.PHONY: bench
bench: bench-build ## Every section (~65 min on an idle machine: sustained ~10, features ~12, curves ~6, latency ~19, sink ~3); one at a time with SECTION=throughput|sustained|features|curves|peer|latency|sink|scale
	$(BENCH_RUN)

.PHONY: bench-profile
bench-profile: bench-build ## make bench with Java Flight Recorder; prints the hottest frames of bench/target/bench.jfr
	$(MAKE) --no-print-directory bench-run-jfr
	jfr print --events jdk.ExecutionSample bench/target/bench.jfr | grep -A1 'stackTrace = \[' | grep -v 'stackTrace\|^--' \
		| sed 's/line:.*//' | sort | uniq -c | sort -rn | head -25

.PHONY: bench-run-jfr
bench-run-jfr: ## The throughput phase under Java Flight Recorder, without rebuilding
	$(MAKE) --no-print-directory BENCH_JAVA_OPTS="$(BENCH_JAVA_OPTS) -XX:+FlightRecorder -XX:StartFlightRecording=filename=bench/target/bench.jfr,settings=profile" \
		BENCH_PHASES=throughput bench-only

BENCH_WINDOW_PARTIALS ?= 1000000
BENCH_WINDOW_KEYS_PER_MINUTE ?= 250000
BENCH_WINDOW_ROUNDS ?= 2
BENCH_SINK_ROWS ?= 200000
BENCH_SINK_BATCH ?= 5000
BENCH_SINK_ROUNDS ?= 8

.PHONY: bench-sink
bench-sink: bench-build ## PostgreSQL upsert candidates, rows/s and CPU per row (BENCH_SINK_ROWS, BENCH_SINK_BATCH, BENCH_SINK_ROUNDS)
	$(BENCH_JVM) -cp "bench/target/classes:$$(cat bench/target/launcher/classpath.txt)" \
		com.streampulse.bench.SinkBench $(BENCH_SINK_ROWS) $(BENCH_SINK_BATCH) $(BENCH_SINK_ROUNDS)

.PHONY: bench-window
bench-window: bench-build ## Content windows' CPU per partial at the wide shape: the job's bucketed windows against Flink's WindowOperator (BENCH_WINDOW_PARTIALS)
	$(BENCH_JVM) @bench/target/launcher/jvm.args -cp "bench/target/classes:$$(cat bench/target/launcher/classpath.txt)" \
		com.streampulse.bench.WindowStateBench $(BENCH_WINDOW_PARTIALS) $(BENCH_WINDOW_KEYS_PER_MINUTE) $(BENCH_WINDOW_ROUNDS)

.PHONY: bench-sessions
bench-sessions: bench-build ## Sessions' CPU per download at the catalog's key counts (BENCH_SESSIONS_ARGS: downloads users rate bufferedKeys rounds)
	$(BENCH_JVM) @bench/target/launcher/jvm.args -cp "bench/target/classes:$$(cat bench/target/launcher/classpath.txt)" \
		com.streampulse.bench.SessionStateBench $(BENCH_SESSIONS_ARGS)

BENCH_TRENDING_ARGS ?=

.PHONY: bench-trending
bench-trending: bench-build ## Trending's CPU per download at the catalog's key counts (BENCH_TRENDING_ARGS: downloads rate bufferedKeys rounds)
	$(BENCH_JVM) @bench/target/launcher/jvm.args -cp "bench/target/classes:$$(cat bench/target/launcher/classpath.txt)" \
		com.streampulse.bench.TrendingStateBench $(BENCH_TRENDING_ARGS)

.PHONY: bench-only
bench-only: ## make bench without rebuilding
	$(BENCH_RUN)

##@ Help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
