// Renders deploy/pulltrace.yaml (plain manifests for `kubectl apply -f`) from the chart's
// default values. Run after changing the chart:
//   node --import tsx test/chart/renderDeploy.ts
// deploy.test.ts fails when the committed file and a fresh render differ.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, templateChart } from './helm.js';

export const DEPLOY_FILE = join(REPO_ROOT, 'deploy', 'pulltrace.yaml');

const HEADER = `# Pulltrace — plain Kubernetes manifests, rendered from charts/pulltrace with its default values
# (release "pulltrace", namespace "pulltrace"). Do not edit by hand: change the chart and run
#   node --import tsx test/chart/renderDeploy.ts
#
# Install:   kubectl apply -f deploy/pulltrace.yaml
# Then open: kubectl -n pulltrace port-forward svc/pulltrace-server 8080:8080   (http://127.0.0.1:8080)
#
# Before applying, set what only you know (docs/installation.md): the image, rendered here as
# registry.example.com/pulltrace:0.1.0 — build it from this repository and push it to your registry,
# then replace that name; the containerd socket (/run/containerd/containerd.sock; k3s and RKE2 use
# /run/k3s/containerd/containerd.sock); and agent authentication (Kubernetes identity; see docs/security.md).
---
apiVersion: v1
kind: Namespace
metadata:
  name: pulltrace
  labels:
    app.kubernetes.io/part-of: pulltrace
    # The agent mounts containerd's socket directory (a hostPath volume), which only the
    # "privileged" Pod Security level admits. The pods themselves are not privileged.
    pod-security.kubernetes.io/enforce: privileged
`;

export function renderDeployManifest(): string {
  // The chart has no default image: render with the placeholder the header tells people to replace.
  const r = templateChart({
    release: 'pulltrace',
    namespace: 'pulltrace',
    values: { image: { repository: 'registry.example.com/pulltrace' } },
  });
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return HEADER + r.stdout;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DEPLOY_FILE, renderDeployManifest());
  console.log(`wrote ${DEPLOY_FILE}`);
}
