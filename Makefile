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
test: ## Run every test: unit, harness, integration (real Kafka, PostgreSQL, Flink), Helm/k8s checks
	$(MVN) verify

.PHONY: fmt
fmt: ## Format all Java sources (google-java-format, AOSP)
	$(MVN) spotless:apply

##@ Local pipeline

##@ Autoscaler

##@ Kubernetes

##@ Help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
