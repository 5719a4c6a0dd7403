{{/* Install-time checks: what the processes or the cluster would refuse later (a crash loop, pods
that never start) fails `helm install` now, with the fix in the message. */}}

{{/* Milliseconds in a Go duration ("1h30m", "500ms"), as a float64 string; the schema has already
checked the format. */}}
{{- define "pulltrace.durationMs" -}}
{{- $units := dict "ns" 0.000001 "us" 0.001 "µs" 0.001 "μs" 0.001 "ms" 1.0 "s" 1000.0 "m" 60000.0 "h" 3600000.0 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)" (toString .) -1 -}}
{{- $number := regexFind "^[0-9.]+" . -}}
{{- $unit := trimPrefix $number . -}}
{{- $total = addf $total (mulf (float64 $number) (get $units $unit)) -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/* The shortest durations the processes accept (src/cli/settings.ts); shorter ones would crash-loop. */}}
{{- define "pulltrace.checkDurations" -}}
{{- $minimums := list (list "reportInterval" 50.0 "PULLTRACE_REPORT_INTERVAL") (list "stallTimeout" 100.0 "PULLTRACE_STALL_TIMEOUT") (list "historyTTL" 1.0 "PULLTRACE_HISTORY_TTL") (list "historyRetention" 1.0 "PULLTRACE_HISTORY_RETENTION") (list "limits.sseStallTimeout" 1000.0 "PULLTRACE_SSE_STALL_TIMEOUT") -}}
{{- range $minimums -}}
{{- $key := index . 0 -}}
{{- $min := index . 1 -}}
{{- $value := $.Values.config -}}
{{- range splitList "." $key -}}
{{- $value = get $value . -}}
{{- end -}}
{{- $text := $value | toString -}}
{{- if lt (float64 (include "pulltrace.durationMs" $text)) $min -}}
{{- fail (printf "config.%s=%s is too short: %s must be at least %vms (the process would refuse it and restart forever)" $key $text (index . 2) $min) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* image.repository has no default: no registry of someone else's is assumed. */}}
{{- define "pulltrace.checkImage" -}}
{{- range $component := list "server" "agent" -}}
{{- $own := (get $.Values $component).image | default dict -}}
{{- if not ($own.repository | default $.Values.image.repository) -}}
{{- fail (printf "image.repository is required: Pulltrace has no public image to default to. Build the image from the repository and push it where your nodes pull from, e.g.\n  docker build -t registry.example.com/pulltrace:%s . && docker push registry.example.com/pulltrace:%s\nthen install with --set image.repository=registry.example.com/pulltrace (docs/installation.md, \"1. Build and push the image\")" $.Chart.AppVersion $.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The Pod Security `enforce` level of the release namespace: "" when unknown (helm template, a
namespace helm is about to create, or no label). Reading it needs `get namespaces`; with
preflight.podSecurity=false it is not read. */}}
{{- define "pulltrace.podSecurityEnforce" -}}
{{- if .Values.preflight.podSecurity -}}
{{- $ns := lookup "v1" "Namespace" "" .Release.Namespace -}}
{{- if $ns -}}
{{- get (($ns.metadata).labels | default dict) "pod-security.kubernetes.io/enforce" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The agent mounts a hostPath volume (containerd's socket directory): only "privileged" admits it. */}}
{{- define "pulltrace.checkPodSecurity" -}}
{{- $level := include "pulltrace.podSecurityEnforce" . -}}
{{- if and .Values.preflight.podSecurity (has $level (list "baseline" "restricted")) -}}
{{- fail (printf "namespace %s enforces Pod Security level %q, which rejects the agent pods (they mount containerd's socket directory, a hostPath volume, which only \"privileged\" admits; the pods themselves are not privileged). Fix:\n  kubectl label namespace %s pod-security.kubernetes.io/enforce=privileged --overwrite\n(or --set preflight.podSecurity=false to install anyway)" .Release.Namespace $level .Release.Namespace) -}}
{{- end -}}
{{- end -}}

{{/* containerd's socket: an explicit socketPath wins, else the preset's path. "auto" reads the
nodes' kubelet versions and labels when helm can (install/upgrade), and falls back to kubeadm's path
(helm template, or a distribution it does not recognise). */}}
{{- define "pulltrace.containerdSocket" -}}
{{- $c := .Values.agent.containerd -}}
{{- $paths := dict "kubeadm" "/run/containerd/containerd.sock" "k3s" "/run/k3s/containerd/containerd.sock" "rke2" "/run/k3s/containerd/containerd.sock" "k0s" "/run/k0s/containerd.sock" "microk8s" "/var/snap/microk8s/common/run/containerd.sock" -}}
{{- if $c.socketPath -}}
{{- $c.socketPath -}}
{{- else if ne ($c.preset | default "auto") "auto" -}}
{{- get $paths $c.preset -}}
{{- else -}}
{{- get $paths (include "pulltrace.detectDistribution" .) -}}
{{- end -}}
{{- end -}}

{{/* kubeadm | k3s | rke2 | k0s | microk8s from the first node helm can see; kubeadm when none.
Reading nodes needs `list nodes`; a preset other than auto does not read them. */}}
{{- define "pulltrace.detectDistribution" -}}
{{- $nodes := lookup "v1" "Node" "" "" -}}
{{- $found := "kubeadm" -}}
{{- $items := ($nodes | default dict).items | default list -}}
{{- if $items -}}
{{- $node := first $items -}}
{{- $version := (($node.status).nodeInfo).kubeletVersion | default "" -}}
{{- $labels := ($node.metadata).labels | default dict -}}
{{- if contains "+rke2" $version -}}{{- $found = "rke2" -}}
{{- else if contains "+k3s" $version -}}{{- $found = "k3s" -}}
{{- else if contains "+k0s" $version -}}{{- $found = "k0s" -}}
{{- else if hasKey $labels "microk8s.io/cluster" -}}{{- $found = "microk8s" -}}
{{- end -}}
{{- end -}}
{{- $found -}}
{{- end -}}
