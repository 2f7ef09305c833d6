{{/*
The absl flagfile botm-server reads (--flagfile): one --name=value per line, "#" comments.
Ports and the drain deadline come from the same values the probes, Service and grace period use.
*/}}
{{- define "botm-server.flagfile" -}}
{{- $s := .Values.server -}}
# Rendered by the botm-server Helm chart from .Values.server; edit values, not this file.
--host=0.0.0.0
--port={{ $s.grpcPort }}
--metrics_port={{ $s.metricsPort }}
--model={{ $s.model }}
--device={{ $s.device }}
--instances={{ $s.instances }}
--threads_per_instance={{ include "botm-server.threadsPerInstance" . }}
--max_batch_size={{ $s.maxBatchSize }}
--batch_timeout_micros={{ $s.batchTimeoutMicros }}
--max_queue_frames={{ $s.maxQueueFrames }}
--max_streams={{ $s.maxStreams }}
--max_message_bytes={{ int64 $s.maxMessageBytes }}
--max_frame_pixels={{ int64 $s.maxFramePixels }}
--max_frames_per_clip={{ $s.maxFramesPerClip }}
--stream_idle_timeout_s={{ $s.streamIdleTimeoutSeconds }}
--drain_deadline_s={{ $s.drainDeadlineSeconds }}
--log_format={{ $s.logFormat }}
{{- if .Values.tls.enabled }}
--tls_cert={{ .Values.tls.mountPath }}/tls.crt
--tls_key={{ .Values.tls.mountPath }}/tls.key
{{- if .Values.tls.clientAuth }}
--tls_client_ca={{ .Values.tls.mountPath }}/ca.crt
{{- end }}
{{- end }}
{{- range $s.extraFlags }}
{{ . }}
{{- end }}
{{- end }}

{{/*
Intra-op threads per model instance: server.threadsPerInstance, or when that is 0, the CPU
request divided among the instances (at least 1), since the server would otherwise size its
pool from the node's cores rather than the container's share. 0 when there is no CPU request.
*/}}
{{- define "botm-server.threadsPerInstance" -}}
{{- $threads := int .Values.server.threadsPerInstance }}
{{- $cpu := toString (dig "requests" "cpu" "" .Values.resources) }}
{{- if and (eq $threads 0) $cpu }}
{{- $millis := 0 }}
{{- if hasSuffix "m" $cpu }}
{{- $millis = atoi (trimSuffix "m" $cpu) }}
{{- else }}
{{- $millis = int (mulf (float64 $cpu) 1000) }}
{{- end }}
{{- $threads = max 1 (div $millis (mul 1000 (int .Values.server.instances))) }}
{{- end }}
{{- $threads }}
{{- end }}
