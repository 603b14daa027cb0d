{{/* Names, labels and the checks every template relies on. */}}

{{- define "vcdtpm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vcdtpm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vcdtpm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vcdtpm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The service's pods (not the registration Job's): Deployment, Service, PDB and NetworkPolicy select these. */}}
{{- define "vcdtpm.serverSelectorLabels" -}}
{{ include "vcdtpm.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "vcdtpm.labels" -}}
{{ include "vcdtpm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vcdtpm
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* registry/repository:tag (or @digest); the tag defaults to the chart's appVersion. */}}
{{- define "vcdtpm.image" -}}
{{- $registry := coalesce .Values.global.imageRegistry .Values.image.registry -}}
{{- $repository := .Values.image.repository -}}
{{- $ref := printf ":%s" (default .Chart.AppVersion .Values.image.tag) -}}
{{- if .Values.image.digest }}{{- $ref = printf "@%s" .Values.image.digest -}}{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s" $registry $repository $ref -}}
{{- else -}}
{{- printf "%s%s" $repository $ref -}}
{{- end -}}
{{- end -}}

{{- define "vcdtpm.imagePullSecrets" -}}
{{- $secrets := concat (.Values.global.imagePullSecrets | default list) (.Values.image.pullSecrets | default list) -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "vcdtpm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vcdtpm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding passwords (and the journal URL when given in values). */}}
{{- define "vcdtpm.secretName" -}}
{{- default (include "vcdtpm.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "vcdtpm.journalSecretName" -}}
{{- default (include "vcdtpm.secretName" .) .Values.journal.existingSecret -}}
{{- end -}}

{{- define "vcdtpm.journalSecretKey" -}}
{{- if .Values.journal.existingSecret -}}{{ .Values.journal.existingSecretKey }}{{- else -}}journal-url{{- end -}}
{{- end -}}

{{- define "vcdtpm.hasJournal" -}}
{{- if or .Values.journal.url .Values.journal.existingSecret -}}true{{- end -}}
{{- end -}}

{{- define "vcdtpm.hasMetricsToken" -}}
{{- if or .Values.metrics.token .Values.metrics.existingTokenSecret -}}true{{- end -}}
{{- end -}}

{{- define "vcdtpm.metricsTokenSecretName" -}}
{{- default (include "vcdtpm.secretName" .) .Values.metrics.existingTokenSecret -}}
{{- end -}}

{{- define "vcdtpm.metricsTokenSecretKey" -}}
{{- if .Values.metrics.existingTokenSecret -}}{{ .Values.metrics.existingTokenSecretKey }}{{- else -}}metrics-token{{- end -}}
{{- end -}}

{{/* The most pods that may run at once: replicaCount, or the autoscaler's maximum. */}}
{{- define "vcdtpm.maxReplicas" -}}
{{- if .Values.autoscaling.hpa.enabled -}}{{ .Values.autoscaling.hpa.maxReplicas }}{{- else -}}{{ .Values.replicaCount }}{{- end -}}
{{- end -}}

{{/* Refuse what cannot work, with a message that says what to set. */}}
{{- define "vcdtpm.validate" -}}
{{- $max := int (include "vcdtpm.maxReplicas" .) -}}
{{- if and (gt $max 1) (not (include "vcdtpm.hasJournal" .)) -}}
{{- fail (printf "vcdtpm: %d replicas need a shared PostgreSQL journal (the default SQLite journal lives in one pod): set journal.url (postgresql://user:password@host/db) or journal.existingSecret, or keep replicaCount: 1" $max) -}}
{{- end -}}
{{- if and .Values.journal.url (not (hasPrefix "postgresql" .Values.journal.url)) -}}
{{- fail "vcdtpm: journal.url must be a PostgreSQL URL (postgresql://...)" -}}
{{- end -}}
{{- if and .Values.journal.url .Values.existingSecret (not .Values.journal.existingSecret) -}}
{{- fail "vcdtpm: with existingSecret, put the journal URL in a Secret and set journal.existingSecret (and journal.existingSecretKey) instead of journal.url" -}}
{{- end -}}
{{- if and (gt $max 1) (not .Values.cloudDirector.url) -}}
{{- fail "vcdtpm: the built-in simulated cloud (cloudDirector.url empty) lives in one pod: set cloudDirector.url for more than one replica" -}}
{{- end -}}
{{- if and .Values.cloudDirector.url (not .Values.cloudDirector.user) -}}
{{- fail "vcdtpm: cloudDirector.user is required with cloudDirector.url" -}}
{{- end -}}
{{- if and .Values.cloudDirector.url (not .Values.existingSecret) (not .Values.cloudDirector.password) -}}
{{- fail "vcdtpm: set cloudDirector.password, or existingSecret with the key cloud-director-password" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not (include "vcdtpm.hasMetricsToken" .)) -}}
{{- fail "vcdtpm: metrics.serviceMonitor needs metrics.token or metrics.existingTokenSecret (/metrics answers a provider's session or the metrics token only)" -}}
{{- end -}}
{{- if and .Values.metrics.token .Values.existingSecret (not .Values.metrics.existingTokenSecret) -}}
{{- fail "vcdtpm: with existingSecret, put the metrics token in a Secret and set metrics.existingTokenSecret instead of metrics.token" -}}
{{- end -}}
{{- if .Values.register.enabled -}}
{{- if not .Values.cloudDirector.url -}}
{{- fail "vcdtpm: register.enabled needs cloudDirector.url (registration is with a real Cloud Director)" -}}
{{- end -}}
{{- if not (hasPrefix "https://" .Values.register.endpointUrl) -}}
{{- fail "vcdtpm: register.endpointUrl must be the https:// URL where Cloud Director reaches the service" -}}
{{- end -}}
{{- end -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.server.gracefulTimeout) -}}
{{- fail "vcdtpm: terminationGracePeriodSeconds must exceed server.gracefulTimeout, or Kubernetes kills requests in flight" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) -}}
{{- fail "vcdtpm: tls.enabled needs tls.existingSecret (a kubernetes.io/tls Secret with tls.crt and tls.key)" -}}
{{- end -}}
{{- end -}}

{{/* Volumes the service and the registration Job share: configuration, secrets, TLS, /tmp. */}}
{{- define "vcdtpm.commonVolumes" -}}
- name: config
  configMap:
    name: {{ include "vcdtpm.fullname" . }}
{{- if .Values.cloudDirector.url }}
- name: secrets
  secret:
    secretName: {{ include "vcdtpm.secretName" . }}
    defaultMode: 0440
{{- end }}
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ .Values.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if include "vcdtpm.hasMetricsToken" . }}
- name: metrics-token
  secret:
    secretName: {{ include "vcdtpm.metricsTokenSecretName" . }}
    defaultMode: 0440
    items:
      - key: {{ include "vcdtpm.metricsTokenSecretKey" . }}
        path: token
{{- end }}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "vcdtpm.commonMounts" -}}
- name: config
  mountPath: /etc/vcdtpm/config
  readOnly: true
{{- if .Values.cloudDirector.url }}
- name: secrets
  mountPath: /etc/vcdtpm/secrets
  readOnly: true
{{- end }}
{{- if .Values.tls.enabled }}
- name: tls
  mountPath: /etc/vcdtpm/tls
  readOnly: true
{{- end }}
{{- if include "vcdtpm.hasMetricsToken" . }}
- name: metrics-token
  mountPath: /etc/vcdtpm/metrics
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "vcdtpm.podSecurityContext" -}}
{{- if .Values.podSecurityContext.enabled }}
securityContext:
  {{- omit .Values.podSecurityContext "enabled" | toYaml | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "vcdtpm.containerSecurityContext" -}}
{{- if .Values.containerSecurityContext.enabled }}
securityContext:
  {{- omit .Values.containerSecurityContext "enabled" | toYaml | nindent 2 }}
{{- end }}
{{- end -}}
