{{/*
Values that render but would fail, or lose state, on the cluster. Each guard stops the render
with one line naming the value and what to do instead (deploy's ChartGuardsTest runs each one).
Included once, from flinkdeployment.yaml.
*/}}

{{/* Flink's built-in filesystem plugin for each object-storage scheme (opt/ in the Flink image). */}}
{{- define "streampulse.storagePlugins" -}}
s3: flink-s3-fs-
s3a: flink-s3-fs-hadoop
s3p: flink-s3-fs-presto
gs: flink-gs-fs-hadoop
abfs: flink-azure-fs-hadoop
abfss: flink-azure-fs-hadoop
wasb: flink-azure-fs-hadoop
wasbs: flink-azure-fs-hadoop
oss: flink-oss-fs-hadoop
{{- end }}

{{- define "streampulse.guards" -}}
{{- $fullname := include "streampulse.fullname" . -}}
{{- /* The operator refuses longer names (its validator's pattern), after the release is stored. */}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$" $fullname) }}
{{- fail (printf "FlinkDeployment name %q is refused by the Flink operator: at most 45 characters, lower-case letters, digits and '-', starting with a letter; choose a shorter release name or set fullnameOverride" $fullname) }}
{{- end }}
{{- $storage := include "streampulse.storageUri" . -}}
{{- $pv := .Values.checkpoints.persistentVolume -}}
{{- $scheme := regexReplaceAll "://.*$" $storage "" -}}
{{- if eq $scheme "file" }}
{{- if not $pv.enabled }}
{{- fail (printf "checkpoints.storageUri %q is on the pod's own disk without checkpoints.persistentVolume.enabled: checkpoints and HA data would vanish with the pod and a last-state upgrade would lose the job's state; enable the volume or use object storage (s3://, gs://, abfss://)" $storage) }}
{{- end }}
{{- if not (hasPrefix "file:///flink-data" $storage) }}
{{- fail (printf "checkpoints.storageUri %q is outside the volume mounted at /flink-data; use file:///flink-data or a path below it" $storage) }}
{{- end }}
{{- if eq $pv.accessMode "ReadWriteOncePod" }}
{{- fail "checkpoints.persistentVolume.accessMode ReadWriteOncePod cannot work: the JobManager and every TaskManager mount the volume; use ReadWriteMany (or ReadWriteOnce on a one-node cluster)" }}
{{- end }}
{{- else }}
{{- $plugins := include "streampulse.storagePlugins" . | fromYaml -}}
{{- $plugin := get $plugins $scheme -}}
{{- if not $plugin }}
{{- fail (printf "checkpoints.storageUri scheme %q is not supported: use file:///flink-data with the volume, or s3, s3a, s3p, gs, abfs(s), wasb(s) or oss" $scheme) }}
{{- end }}
{{- if not (contains $plugin (toString (index .Values.job.extraEnv "ENABLE_BUILT_IN_PLUGINS"))) }}
{{- fail (printf "checkpoints.storageUri %q needs Flink's %s* filesystem plugin: set job.extraEnv.ENABLE_BUILT_IN_PLUGINS to its jar from /opt/flink/opt of the job image (e.g. flink-s3-fs-presto-1.20.3.jar)" $storage $plugin) }}
{{- end }}
{{- end }}
{{- /* pgjdbc would look for ~/.postgresql/root.crt, which no container has. */}}
{{- if and (hasPrefix "verify-" .Values.postgres.sslMode) (not .Values.postgres.tls.caSecret) }}
{{- fail (printf "postgres.sslMode %s needs postgres.tls.caSecret: the name of a Secret holding the CA certificate that signed the server's (key postgres.tls.caKey, default ca.crt)" .Values.postgres.sslMode) }}
{{- end }}
{{- /* Credentials belong in a Secret (or the pods' cloud identity), never in the custom resource,
  which anyone who may read FlinkDeployments can read. */}}
{{- range $key, $_ := .Values.job.flinkConfiguration }}
{{- if regexMatch "(?i)(password|secret|token|credential|access[._-]?key|account[._-]key)" $key }}
{{- fail (printf "job.flinkConfiguration key %q looks like a credential and would be stored in plain text in the FlinkDeployment; give the pods a cloud identity or pass it from a Secret as an environment variable (docs/kubernetes.md, \"Object storage\")" $key) }}
{{- end }}
{{- end }}
{{- end }}
