{{/* Names, labels and small computed values shared by the templates. */}}

{{- define "pulltrace.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name, at most 51 characters so every suffix (-server-data, -agent-token) keeps names within 63. */}}
{{- define "pulltrace.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 51 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 51 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 51 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pulltrace.serverName" -}}
{{- printf "%s-server" (include "pulltrace.fullname" .) -}}
{{- end -}}

{{- define "pulltrace.agentName" -}}
{{- printf "%s-agent" (include "pulltrace.fullname" .) -}}
{{- end -}}

{{- define "pulltrace.serverServiceAccountName" -}}
{{- if .Values.server.serviceAccount.create -}}
{{- default (include "pulltrace.serverName" .) .Values.server.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.server.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "pulltrace.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "pulltrace.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pulltrace
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels; component is "server" or "agent". Call with (dict "root" $ "component" "server"). */}}
{{- define "pulltrace.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pulltrace.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "pulltrace.componentLabels" -}}
{{ include "pulltrace.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image of one component: its own override, else the shared image; tag defaults to appVersion. */}}
{{- define "pulltrace.image" -}}
{{- $own := .own | default dict -}}
{{- $repo := $own.repository | default .root.Values.image.repository -}}
{{- $tag := $own.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if eq (toString $tag) "latest" -}}
{{- fail "image tag \"latest\" is not allowed: pin a version (image.tag, server.image.tag, agent.image.tag) so every node runs the same build" -}}
{{- end -}}
{{- printf "%s:%s" $repo (toString $tag) -}}
{{- end -}}

{{- define "pulltrace.imagePullPolicy" -}}
{{- $own := .own | default dict -}}
{{- $own.pullPolicy | default .root.Values.image.pullPolicy -}}
{{- end -}}

{{/* watchNamespaces accepts a list or the string "a,b"; returns a comma-joined string without blanks. */}}
{{- define "pulltrace.listedWatchNamespaces" -}}
{{- $raw := .Values.config.watchNamespaces -}}
{{- $list := list -}}
{{- if kindIs "slice" $raw -}}
{{- $list = $raw -}}
{{- else -}}
{{- $list = splitList "," (toString $raw) -}}
{{- end -}}
{{- $clean := list -}}
{{- range $list -}}
{{- $ns := trim (toString .) -}}
{{- if $ns -}}
{{- $clean = append $clean $ns -}}
{{- end -}}
{{- end -}}
{{- join "," (uniq $clean) -}}
{{- end -}}

{{/* The namespaces the server watches ("" = all): the listed ones, plus the release namespace when
the server must see the agent pods to know their nodes (pulltrace.agentTokensNamePod). */}}
{{- define "pulltrace.watchNamespaces" -}}
{{- $listed := include "pulltrace.listedWatchNamespaces" . -}}
{{- if and $listed (include "pulltrace.agentTokensNamePod" .) -}}
{{- join "," (uniq (append (splitList "," $listed) .Release.Namespace)) -}}
{{- else -}}
{{- $listed -}}
{{- end -}}
{{- end -}}

{{/* "true" when agents prove their node with ServiceAccount tokens that name their pod but not
their node (Kubernetes before 1.30): the server finds the node by watching the agent pods. */}}
{{- define "pulltrace.agentTokensNamePod" -}}
{{- if and (eq (include "pulltrace.authMode" .) "kubernetes") (semverCompare "<1.30-0" .Capabilities.KubeVersion.Version) -}}
true
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding the shared agent token, or "" when agents do not use one (agent.auth.mode). */}}
{{- define "pulltrace.tokenSecretName" -}}
{{- if eq (include "pulltrace.authMode" .) "token" -}}
{{- .Values.agent.auth.existingSecret | default (printf "%s-agent-token" (include "pulltrace.fullname" .)) -}}
{{- end -}}
{{- end -}}

{{- define "pulltrace.tokenSecretKey" -}}
{{- if .Values.agent.auth.existingSecret -}}
{{- .Values.agent.auth.existingSecretKey -}}
{{- else -}}
token
{{- end -}}
{{- end -}}

{{/*
The token of the Secret the chart renders (token mode without agent.auth.existingSecret): the inline
agent.auth.token, else the one already installed (lookup), else a new one. A new one needs the
cluster: rendered without it (helm template, Argo CD, Flux) every render would draw another, and
the server and the agents would drift apart, so that is refused with the fix. Kept in .Values once
drawn, so the Secret and the pods' checksum annotation see the same token.
*/}}
{{- define "pulltrace.storedToken" -}}
{{- $auth := .Values.agent.auth -}}
{{- if not (hasKey $auth "_storedToken") -}}
{{- $token := $auth.token -}}
{{- if not $token -}}
{{- $name := include "pulltrace.tokenSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- if and $existing $existing.data (index $existing.data "token") -}}
{{- $token = index $existing.data "token" | b64dec -}}
{{- else if lookup "v1" "Secret" .Release.Namespace "" -}}
{{- /* A list answer (even an empty one) means the cluster is there: first install. */ -}}
{{- $token = randAlphaNum 48 -}}
{{- else -}}
{{- fail "agent.auth.mode=token needs agent.auth.token or agent.auth.existingSecret when the chart is rendered without a cluster (helm template, Argo CD, Flux): a token generated here would change on every render, and the server and the agents would drift apart. Create a Secret (kubectl create secret generic pulltrace-agent-token --from-literal=token=\"$(openssl rand -hex 24)\") and set agent.auth.existingSecret=pulltrace-agent-token, or set agent.auth.token" -}}
{{- end -}}
{{- end -}}
{{- $_ := set $auth "_storedToken" $token -}}
{{- end -}}
{{- index $auth "_storedToken" -}}
{{- end -}}

{{/*
Pod annotations that roll the pods when the agent-token Secret the chart renders changes (its
content's checksum); none with agent.auth.existingSecret, which the chart does not render.
*/}}
{{- define "pulltrace.tokenChecksum" -}}
{{- if and (eq (include "pulltrace.authMode" .) "token") (not .Values.agent.auth.existingSecret) -}}
{{- dict "token" (include "pulltrace.storedToken" .) | toJson | sha256sum -}}
{{- end -}}
{{- end -}}

{{/* PULLTRACE_AGENT_TOKEN from the Secret, for both the server and the agents. */}}
{{- define "pulltrace.tokenEnv" -}}
{{- $secret := include "pulltrace.tokenSecretName" . -}}
{{- if $secret -}}
- name: PULLTRACE_AGENT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ include "pulltrace.tokenSecretKey" . }}
{{- end -}}
{{- end -}}

{{/* Directory of the containerd socket: mounted instead of the socket file so a containerd
restart (which recreates the socket) reaches the agent through the same mount. */}}
{{- define "pulltrace.socketDir" -}}
{{- $socket := include "pulltrace.containerdSocket" . -}}
{{- $dir := dir $socket -}}
{{- if has $dir (list "/" "/run" "/var/run" "/var" "/tmp" "/var/lib" "/etc") -}}
{{- fail (printf "agent.containerd.socketPath=%s: the agent mounts the socket's directory, and %s holds far more than containerd (other runtimes' sockets); give containerd a directory of its own" $socket $dir) -}}
{{- end -}}
{{- $dir -}}
{{- end -}}

{{/* Read-only access to pods and kubelet events (core/v1): all the server needs to name pulls and find waiting pods. */}}
{{- define "pulltrace.rbacRules" -}}
- apiGroups: [""]
  resources: ["pods", "events"]
  verbs: ["get", "list", "watch"]
{{- if ne (toString .Values.podEvents.mode) "off" }}
# pull progress written onto the waiting pods (podEvents.mode)
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
{{- end -}}
