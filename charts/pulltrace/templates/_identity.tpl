{{/* Agent identity and TLS: how agents prove their node (agent.auth.mode) and how the API is served (tls). */}}

{{/* The mode asked for; "" = kubernetes, or token when a shared token is configured or Kubernetes is off. */}}
{{- define "pulltrace.authMode" -}}
{{- $mode := .Values.agent.auth.mode -}}
{{- if not $mode -}}
{{- if or .Values.agent.auth.token .Values.agent.auth.existingSecret (eq .Values.config.kubernetes "off") -}}
{{- $mode = "token" -}}
{{- else -}}
{{- $mode = "kubernetes" -}}
{{- end -}}
{{- end -}}
{{- if and (eq $mode "kubernetes") (eq .Values.config.kubernetes "off") -}}
{{- fail "agent.auth.mode=kubernetes checks agent tokens with the Kubernetes API, but config.kubernetes is off: use agent.auth.mode=token, or turn config.kubernetes back to auto" -}}
{{- end -}}
{{- if and (ne $mode "token") (or .Values.agent.auth.token .Values.agent.auth.existingSecret) -}}
{{- fail (printf "agent.auth.token / agent.auth.existingSecret are set but agent.auth.mode is %s: set agent.auth.mode=token to use a shared token, or remove them" $mode) -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{/* The ServiceAccount the agents run as, namespace:name (PULLTRACE_AGENT_SERVICE_ACCOUNTS). */}}
{{- define "pulltrace.agentServiceAccount" -}}
{{- printf "%s:%s" .Release.Namespace (include "pulltrace.agentName" .) -}}
{{- end -}}

{{- define "pulltrace.serverAuthEnv" -}}
{{- $mode := include "pulltrace.authMode" . -}}
- name: PULLTRACE_AGENT_AUTH
  value: {{ $mode | quote }}
{{- if eq $mode "kubernetes" }}
- name: PULLTRACE_AGENT_SERVICE_ACCOUNTS
  value: {{ include "pulltrace.agentServiceAccount" . | quote }}
{{- end }}
{{- end -}}

{{- define "pulltrace.agentTokenDir" -}}/var/run/secrets/pulltrace{{- end -}}

{{- define "pulltrace.agentAuthEnv" -}}
{{- if eq (include "pulltrace.authMode" .) "kubernetes" -}}
- name: PULLTRACE_AGENT_TOKEN_FILE
  value: {{ printf "%s/token" (include "pulltrace.agentTokenDir" .) | quote }}
{{- end -}}
{{- end -}}

{{/* A projected ServiceAccount token only the server accepts: audience pulltrace, so it is no API credential. */}}
{{- define "pulltrace.agentTokenVolume" -}}
{{- if eq (include "pulltrace.authMode" .) "kubernetes" -}}
- name: agent-token
  projected:
    sources:
      - serviceAccountToken:
          audience: pulltrace
          expirationSeconds: {{ .Values.agent.auth.tokenExpirationSeconds | default 3600 }}
          path: token
{{- end -}}
{{- end -}}

{{- define "pulltrace.agentTokenMount" -}}
{{- if eq (include "pulltrace.authMode" .) "kubernetes" -}}
- name: agent-token
  mountPath: {{ include "pulltrace.agentTokenDir" . }}
  readOnly: true
{{- end -}}
{{- end -}}

{{/* ---- TLS ---- */}}

{{- define "pulltrace.tlsSecretName" -}}
{{- if .Values.tls.existingSecret -}}
{{- .Values.tls.existingSecret -}}
{{- else -}}
{{- printf "%s-tls" (include "pulltrace.serverName" .) -}}
{{- end -}}
{{- end -}}

{{- define "pulltrace.scheme" -}}
{{- if .Values.tls.enabled -}}https{{- else -}}http{{- end -}}
{{- end -}}

{{- define "pulltrace.serverTlsEnv" -}}
{{- if .Values.tls.enabled -}}
- name: PULLTRACE_TLS_CERT_FILE
  value: /etc/pulltrace/tls/tls.crt
- name: PULLTRACE_TLS_KEY_FILE
  value: /etc/pulltrace/tls/tls.key
{{- end -}}
{{- end -}}

{{- define "pulltrace.serverTlsMount" -}}
{{- if .Values.tls.enabled -}}
- name: tls
  mountPath: /etc/pulltrace/tls
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "pulltrace.serverTlsVolume" -}}
{{- if .Values.tls.enabled -}}
- name: tls
  secret:
    secretName: {{ include "pulltrace.tlsSecretName" . }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end -}}
{{- end -}}

{{/* The agents get only the CA certificate of the Secret, never the server's key. */}}
{{- define "pulltrace.agentCaEnv" -}}
{{- if and .Values.tls.enabled .Values.tls.caKey -}}
- name: PULLTRACE_SERVER_CA_FILE
  value: /etc/pulltrace/ca/ca.crt
{{- end -}}
{{- end -}}

{{- define "pulltrace.agentCaMount" -}}
{{- if and .Values.tls.enabled .Values.tls.caKey -}}
- name: server-ca
  mountPath: /etc/pulltrace/ca
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "pulltrace.agentCaVolume" -}}
{{- if and .Values.tls.enabled .Values.tls.caKey -}}
- name: server-ca
  secret:
    secretName: {{ include "pulltrace.tlsSecretName" . }}
    items:
      - key: {{ .Values.tls.caKey }}
        path: ca.crt
{{- end -}}
{{- end -}}
