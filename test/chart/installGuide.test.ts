// The install guide must install what it says it installs: per-node agent identity (projected
// ServiceAccount tokens checked by TokenReview). Only its "Without TokenReview" section may switch
// to a shared token, and says so. Every helm command of docs/installation.md is rendered here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { asHelmTemplate, classify, docCommands } from '../docs/shellCommands.js';
import { CHART_DIR, type K8sObject, oneOfKind, parseManifests, REPO_ROOT, runHelm } from './helm.js';

const GUIDE = join('docs', 'installation.md');
const text = readFileSync(join(REPO_ROOT, GUIDE), 'utf8');
const TOKEN_SECTION = '### Without TokenReview: a shared token';

/** The line range [first, end) of the token-mode section (up to the next heading). */
function tokenSectionLines(): [number, number] {
  const lines = text.split('\n');
  const first = lines.indexOf(TOKEN_SECTION);
  assert.ok(first >= 0, `${GUIDE} has a section "${TOKEN_SECTION}"`);
  const next = lines.findIndex((l, i) => i > first && /^#{1,3} /.test(l));
  return [first + 1, next < 0 ? lines.length + 1 : next + 1];
}

function authOf(objects: K8sObject[]): { mode: string | undefined; projectedToken: boolean } {
  const server = oneOfKind(objects, 'Deployment').spec.template.spec.containers[0];
  const agent = oneOfKind(objects, 'DaemonSet').spec.template.spec;
  return {
    mode: (server.env as K8sObject[]).find((e) => e.name === 'PULLTRACE_AGENT_AUTH')?.value,
    projectedToken: ((agent.volumes ?? []) as K8sObject[]).some((v) =>
      (v.projected?.sources ?? []).some((s: K8sObject) => s.serviceAccountToken?.audience === 'pulltrace'),
    ),
  };
}

describe('docs/installation.md keeps per-node agent identity', () => {
  const [tokenFrom, tokenTo] = tokenSectionLines();
  const helmCommands = docCommands(GUIDE, text).filter((c) => classify(c.text).kind === 'helm-render');

  test('the guide has helm commands to check', () => {
    assert.ok(helmCommands.length >= 3, `${helmCommands.length} helm commands`);
  });

  for (const c of helmCommands) {
    const inTokenSection = c.line >= tokenFrom && c.line < tokenTo;
    test(`${GUIDE}:${c.line} installs ${inTokenSection ? 'a shared token, as its section says' : 'per-node identity'}`, () => {
      const k = classify(c.text);
      assert.equal(k.kind, 'helm-render');
      const args = k.kind === 'helm-render' ? asHelmTemplate(k.args) : [];
      const r = runHelm(args.map((a) => (a === './charts/pulltrace' ? CHART_DIR : a)));
      assert.equal(r.code, 0, r.stderr);
      const auth = authOf(parseManifests(r.stdout));
      if (inTokenSection) {
        assert.equal(auth.mode, 'token');
      } else {
        assert.deepEqual(auth, { mode: 'kubernetes', projectedToken: true }, c.text);
      }
    });
  }

  test('the shared token Secret is created only in the token section', () => {
    for (const c of docCommands(GUIDE, text)) {
      if (!/create secret generic pulltrace-agent-token/.test(c.text)) continue;
      assert.ok(c.line >= tokenFrom && c.line < tokenTo, `${GUIDE}:${c.line} creates the token outside "${TOKEN_SECTION}"`);
    }
  });

  test('the token section says when to use it, and what a shared token does not prove', () => {
    const section = text
      .split('\n')
      .slice(tokenFrom - 1, tokenTo - 1)
      .join('\n');
    assert.match(section, /only where the server cannot check agent tokens with the API server/);
    assert.match(section, /proves "an agent", not which node/);
  });

  test('the plain manifests (3b) run per-node identity, and the guide adds no token to them', () => {
    const auth = authOf(parseManifests(readFileSync(join(REPO_ROOT, 'deploy', 'pulltrace.yaml'), 'utf8')));
    assert.deepEqual(auth, { mode: 'kubernetes', projectedToken: true });
    assert.doesNotMatch(text, /name: PULLTRACE_AGENT_TOKEN\b/, 'an env edit the server ignores in kubernetes mode');
  });
});
