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
--threads_per_instance={{ $s.threadsPerInstance }}
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
