{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "botm-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: fullnameOverride, else "<release>-<chart>" unless the
release name already contains the chart name.
*/}}
{{- define "botm-server.fullname" -}}
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

{{- define "botm-server.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select the pods; never change them across upgrades (Deployment selectors are immutable).
*/}}
{{- define "botm-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "botm-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "botm-server.labels" -}}
helm.sh/chart: {{ include "botm-server.chart" . }}
{{ include "botm-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: inference
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "botm-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "botm-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository:tag, tag defaulting to "<appVersion>-<flavor>", plus @digest when set.
*/}}
{{- define "botm-server.image" -}}
{{- $tag := default (printf "%s-%s" .Chart.AppVersion .Values.image.flavor) .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Seconds the kubelet waits between starting the preStop hook and SIGKILL: the preStop sleep,
the server's drain deadline after SIGTERM, and a margin for process exit.
*/}}
{{- define "botm-server.terminationGracePeriodSeconds" -}}
{{- add .Values.preStop.sleepSeconds .Values.server.drainDeadlineSeconds .Values.terminationMarginSeconds }}
{{- end }}

{{- define "botm-server.configMountPath" -}}/etc/botm/config{{- end }}

{{- define "botm-server.flagfilePath" -}}
{{- printf "%s/botm-server.flags" (include "botm-server.configMountPath" .) }}
{{- end }}

{{/*
One probe handler: native gRPC health on the gRPC port, or, with TLS (which kubelet gRPC
probes cannot speak), an exec of botm-client health against the local server (which asks for
the whole server's status: the server flips all its health services together).
Call with (dict "root" $ "service" "<health service name>").
*/}}
{{- define "botm-server.probeHandler" -}}
{{- $v := .root.Values }}
{{- if $v.tls.enabled -}}
exec:
  command:
    - botm-client
    - health
    - --server={{ printf "%s:%d" $v.tls.probeServerName (int $v.server.grpcPort) }}
    - --tls_ca={{ $v.tls.mountPath }}/ca.crt
    {{- if $v.tls.clientAuth }}
    - --tls_cert={{ include "botm-server.probeCertDir" .root }}/tls.crt
    - --tls_key={{ include "botm-server.probeCertDir" .root }}/tls.key
    {{- end }}
{{- else -}}
grpc:
  port: {{ $v.server.grpcPort }}
  service: {{ .service | quote }}
{{- end }}
{{- end }}

{{- define "botm-server.probeCertDir" -}}
{{- if .Values.tls.probeClientSecretName }}/etc/botm/probe-tls{{ else }}{{ .Values.tls.mountPath }}{{ end }}
{{- end }}
