{{/*
The shared report log's connection (bus.nats): the URL inline (no credentials) or, with credentials,
from bus.nats.existingSecret; the .creds file and TLS files from the same Secret, mounted read-only
under /etc/pulltrace/nats. Nothing secret is ever written into the rendered manifests.
*/}}
{{- define "pulltrace.busValues" -}}
{{- $nats := (.Values.bus | default dict).nats | default dict -}}
{{- toJson (dict "url" ($nats.url | default "") "secret" ($nats.existingSecret | default "") "keys" ($nats.secretKeys | default dict)) -}}
{{- end -}}

{{/* "true" when the server uses a bus (a URL inline or from the Secret); fails on values that cannot work. */}}
{{- define "pulltrace.busConfigured" -}}
{{- $b := include "pulltrace.busValues" . | fromJson -}}
{{- $keys := $b.keys -}}
{{- $anyKey := or $keys.url $keys.creds $keys.ca $keys.cert $keys.key -}}
{{- if and $anyKey (not $b.secret) -}}
{{- fail "bus.nats.secretKeys name keys of bus.nats.existingSecret, which is empty: set it to the Secret that holds them" -}}
{{- end -}}
{{- if and $b.secret (not $anyKey) -}}
{{- fail (printf "bus.nats.existingSecret=%s: say which of its keys to use (bus.nats.secretKeys.url for a URL with credentials, .creds, .ca, .cert and .key)" $b.secret) -}}
{{- end -}}
{{- if ne (empty $keys.cert) (empty $keys.key) -}}
{{- fail "bus.nats.secretKeys.cert and bus.nats.secretKeys.key go together (a client certificate and its key): set both or neither" -}}
{{- end -}}
{{- if and $b.url $keys.url -}}
{{- fail "bus.nats.url and bus.nats.secretKeys.url both give the NATS URL: keep the one in the Secret (it carries the credentials)" -}}
{{- end -}}
{{- if and $anyKey (not (or $b.url $keys.url)) -}}
{{- fail "bus.nats.existingSecret gives NATS credentials but no URL: set bus.nats.url or bus.nats.secretKeys.url" -}}
{{- end -}}
{{- if or $b.url $keys.url }}true{{ end -}}
{{- end -}}

{{- define "pulltrace.busEnv" -}}
{{- $b := include "pulltrace.busValues" . | fromJson -}}
{{- $keys := $b.keys -}}
{{- if $keys.url }}
- name: PULLTRACE_BUS
  valueFrom:
    secretKeyRef:
      name: {{ $b.secret }}
      key: {{ $keys.url }}
{{- else if $b.url }}
- name: PULLTRACE_BUS
  value: {{ $b.url | quote }}
{{- end }}
{{- if $keys.creds }}
- name: PULLTRACE_BUS_CREDS_FILE
  value: /etc/pulltrace/nats/nats.creds
{{- end }}
{{- if $keys.ca }}
- name: PULLTRACE_BUS_CA_FILE
  value: /etc/pulltrace/nats/ca.crt
{{- end }}
{{- if $keys.cert }}
- name: PULLTRACE_BUS_CERT_FILE
  value: /etc/pulltrace/nats/tls.crt
- name: PULLTRACE_BUS_KEY_FILE
  value: /etc/pulltrace/nats/tls.key
{{- end }}
{{- end -}}

{{- define "pulltrace.busFileKeys" -}}
{{- $keys := (include "pulltrace.busValues" . | fromJson).keys -}}
{{- $items := list -}}
{{- if $keys.creds }}{{ $items = append $items (dict "key" $keys.creds "path" "nats.creds") }}{{ end -}}
{{- if $keys.ca }}{{ $items = append $items (dict "key" $keys.ca "path" "ca.crt") }}{{ end -}}
{{- if $keys.cert }}{{ $items = append $items (dict "key" $keys.cert "path" "tls.crt") }}{{ end -}}
{{- if $keys.key }}{{ $items = append $items (dict "key" $keys.key "path" "tls.key") }}{{ end -}}
{{- toJson $items -}}
{{- end -}}

{{- define "pulltrace.busMount" -}}
{{- if include "pulltrace.busFileKeys" . | fromJsonArray -}}
- name: nats-auth
  mountPath: /etc/pulltrace/nats
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "pulltrace.busVolume" -}}
{{- $items := include "pulltrace.busFileKeys" . | fromJsonArray -}}
{{- if $items -}}
- name: nats-auth
  secret:
    secretName: {{ (include "pulltrace.busValues" . | fromJson).secret }}
    items:
      {{- toYaml $items | nindent 6 }}
{{- end -}}
{{- end -}}
