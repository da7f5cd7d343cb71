{{/*
Names, labels and the pieces every workload shares (images, credentials, Kafka and
PostgreSQL environment), defined once here.
*/}}

{{- define "streampulse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-streampulse, or just the release name when it already says streampulse. */}}
{{- define "streampulse.fullname" -}}
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

{{- define "streampulse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource; $component names the part (job, autoscaler, migration). */}}
{{- define "streampulse.labels" -}}
helm.sh/chart: {{ include "streampulse.chart" .root }}
{{ include "streampulse.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: streampulse
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "streampulse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streampulse.name" .root }}{{ if ne .component "job" }}-{{ .component }}{{ end }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "streampulse.autoscaler.fullname" -}}
{{- printf "%s-autoscaler" (include "streampulse.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "streampulse.autoscaler.serviceAccountName" -}}
{{- if .Values.autoscaler.serviceAccount.create }}
{{- default (include "streampulse.autoscaler.fullname" .) .Values.autoscaler.serviceAccount.name }}
{{- else }}
{{- required "autoscaler.serviceAccount.name is required when autoscaler.serviceAccount.create is false" .Values.autoscaler.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion (the POM's project.version). */}}
{{- define "streampulse.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* The Secret every credential comes from: an existing one, or the one this chart creates. */}}
{{- define "streampulse.secretName" -}}
{{- if .Values.credentials.existingSecret }}
{{- .Values.credentials.existingSecret }}
{{- else }}
{{- printf "%s-credentials" (include "streampulse.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* One env entry read from the Secret. Args: root, name (variable), key (values key), optional. */}}
{{- define "streampulse.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "streampulse.secretName" .root }}
      key: {{ index .root.Values.credentials.keys .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* Kafka connection: the same variables for the job, the autoscaler and the generator. */}}
{{- define "streampulse.kafkaEnv" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: KAFKA_TOPIC
  value: {{ .Values.kafka.topic | quote }}
- name: KAFKA_GROUP_ID
  value: {{ .Values.kafka.groupId | quote }}
{{- with .Values.kafka.securityProtocol }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.kafka.saslMechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ . | quote }}
{{- end }}
{{- with .Values.kafka.tls.caSecret }}
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ printf "%s/%s" (include "streampulse.caDir" "kafka-ca") $.Values.kafka.tls.caKey | quote }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: "PEM"
{{- end }}
{{ include "streampulse.secretEnv" (dict "root" . "name" "KAFKA_USERNAME" "key" "kafkaUsername" "optional" true) }}
{{ include "streampulse.secretEnv" (dict "root" . "name" "KAFKA_PASSWORD" "key" "kafkaPassword" "optional" true) }}
{{- end }}

{{/* PostgreSQL connection, for the job and the migration hook. */}}
{{- define "streampulse.postgresEnv" -}}
- name: PG_HOST
  value: {{ .Values.postgres.host | quote }}
- name: PG_PORT
  value: {{ .Values.postgres.port | quote }}
- name: PG_DATABASE
  value: {{ .Values.postgres.database | quote }}
- name: PG_SSLMODE
  value: {{ .Values.postgres.sslMode | quote }}
{{- with .Values.postgres.tls.caSecret }}
- name: PG_SSLROOTCERT
  value: {{ printf "%s/%s" (include "streampulse.caDir" "postgres-ca") $.Values.postgres.tls.caKey | quote }}
{{- end }}
{{ include "streampulse.secretEnv" (dict "root" . "name" "PG_USER" "key" "pgUser") }}
{{ include "streampulse.secretEnv" (dict "root" . "name" "PG_PASSWORD" "key" "pgPassword") }}
{{- end }}

{{/* Where a CA from a Secret (postgres.tls, kafka.tls) is mounted: /etc/streampulse/<name>/. */}}
{{- define "streampulse.caDir" -}}
/etc/streampulse/{{ . }}
{{- end }}

{{/* The CA volumes (postgres-ca, kafka-ca) of the pods that connect with TLS; empty without any. */}}
{{- define "streampulse.caVolumes" -}}
{{- range $name, $tls := dict "postgres-ca" .Values.postgres.tls "kafka-ca" .Values.kafka.tls }}
{{- if $tls.caSecret }}
- name: {{ $name }}
  secret:
    secretName: {{ $tls.caSecret }}
    items:
      - key: {{ $tls.caKey }}
        path: {{ $tls.caKey }}
{{- end }}
{{- end }}
{{- end }}

{{- define "streampulse.caMounts" -}}
{{- range $name, $tls := dict "postgres-ca" .Values.postgres.tls "kafka-ca" .Values.kafka.tls }}
{{- if $tls.caSecret }}
- name: {{ $name }}
  mountPath: {{ include "streampulse.caDir" $name }}
  readOnly: true
{{- end }}
{{- end }}
{{- end }}

{{/* Pod and container security: non-root, no privilege escalation, no capabilities. */}}
{{- define "streampulse.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
{{- if .fsGroup }}
fsGroup: {{ .uid }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "streampulse.containerSecurityContext" -}}
allowPrivilegeEscalation: false
{{- if .readOnlyRootFilesystem }}
readOnlyRootFilesystem: true
{{- end }}
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* The checkpoint base URI without a trailing slash. */}}
{{- define "streampulse.storageUri" -}}
{{- .Values.checkpoints.storageUri | trimSuffix "/" }}
{{- end }}
