// The chart's pod Events switch, rendered by the real helm: off (the default) grants no write at
// all; on, the server may create and patch Events (nothing else), holds its Lease in its own
// namespace, and only `labeled` may read namespaces; the server gets the matching settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type K8sObject, lintChart, ofKind, oneOfKind, renderChart } from './helm.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

function rules(objects: K8sObject[], kind: 'ClusterRole' | 'Role'): Rule[] {
  return ofKind(objects, kind).flatMap((r) => (r.rules ?? []) as Rule[]);
}

/** Write verbs, besides the TokenReviews agent identity always creates (test/chart/identity.test.ts). */
function writes(all: Rule[]): string[] {
  const out: string[] = [];
  for (const r of all) {
    for (const res of r.resources.filter((x) => x !== 'tokenreviews'))
      for (const v of r.verbs) if (!['get', 'list', 'watch'].includes(v)) out.push(`${res}:${v}`);
  }
  return out.sort();
}

function serverEnv(objects: K8sObject[]): Map<string, string> {
  const container = (oneOfKind(objects, 'Deployment').spec.template.spec as K8sObject).containers[0] as K8sObject;
  return new Map((container.env as K8sObject[]).map((e) => [e.name as string, e.value as string]));
}

test('podEvents.mode off (default): no write verb beyond TokenReviews, no Lease role, no PULLTRACE_POD_EVENTS', () => {
  const objects = renderChart();
  assert.deepEqual(writes([...rules(objects, 'ClusterRole'), ...rules(objects, 'Role')]), []);
  assert.equal(
    ofKind(objects, 'Role').some((r) => String(r.metadata.name).endsWith('-pod-events')),
    false,
  );
  assert.equal(serverEnv(objects).has('PULLTRACE_POD_EVENTS'), false);
});

test('podEvents.mode all: create/patch on events and get/create/update on leases in the release namespace only; settings reach the server', () => {
  const values = { podEvents: { mode: 'all', minDuration: '20s', qps: 3, burst: 6 } };
  assert.equal(lintChart(values).code, 0);
  const objects = renderChart({ values, namespace: 'observability' });
  assert.deepEqual(writes(rules(objects, 'ClusterRole')), ['events:create', 'events:patch']);
  const leaseRole = oneOfKind(objects, 'Role');
  assert.equal(leaseRole.metadata.namespace, 'observability');
  assert.deepEqual(leaseRole.rules, [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  assert.equal(
    rules(objects, 'ClusterRole').some((r) => r.resources.includes('namespaces')),
    false,
    'only labeled reads namespaces',
  );
  const env = serverEnv(objects);
  assert.equal(env.get('PULLTRACE_POD_EVENTS'), 'all');
  assert.equal(env.get('PULLTRACE_POD_EVENTS_MIN_DURATION'), '20s');
  assert.equal(env.get('PULLTRACE_POD_EVENTS_QPS'), '3');
  assert.equal(env.get('PULLTRACE_POD_EVENTS_BURST'), '6');
});

test('podEvents.mode labeled: also get on namespaces (to read their label), nothing more', () => {
  const objects = renderChart({ values: { podEvents: { mode: 'labeled' } } });
  const namespaceRules = rules(objects, 'ClusterRole').filter((r) => r.resources.includes('namespaces'));
  assert.deepEqual(namespaceRules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
  assert.equal(serverEnv(objects).get('PULLTRACE_POD_EVENTS'), 'labeled');
});

test('a podEvents.mode the product does not know is refused by the chart schema', () => {
  const r = lintChart({ podEvents: { mode: 'sometimes' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /podEvents/);
});
