// The Grafana dashboard and the Prometheus alert rules parse, and read only metrics the server exports.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { FAILURE_REASONS } from '../../src/model/index.js';
import { PullMetrics } from '../../src/server/outputs/metrics/pullMetrics.js';
import { REPO_ROOT } from '../chart/helm.js';
import { baseMetricName, metricNames } from './promql.js';

// The contract's nine (contract §5).
const CONTRACT_METRICS = [
  'pulltrace_pulls_active',
  'pulltrace_pulls_total',
  'pulltrace_pull_duration_seconds',
  'pulltrace_pull_bytes_total',
  'pulltrace_pull_errors_total',
  'pulltrace_agent_reports_total',
  'pulltrace_sse_clients_active',
  'pulltrace_agents_connected',
  'pulltrace_pulls_stalled',
];
const HISTOGRAMS = new Set(['pulltrace_pull_duration_seconds', 'pulltrace_pull_unpack_duration_seconds', 'pulltrace_pull_wait_seconds']);

/** The names the server's registry really exports (not a copy of a list). */
function exportedMetrics(): string[] {
  const metrics = new PullMetrics({ counts: () => ({ active: 0, stalled: 0 }), agentsConnected: () => 0, sseClients: () => 0 });
  return metrics.registry.getMetricsAsArray().map((m) => m.name);
}

const exported = new Set(exportedMetrics());

function assertKnown(expr: string, where: string): string[] {
  const used = metricNames(expr).map((n) => baseMetricName(n, HISTOGRAMS));
  assert.ok(used.length > 0, `${where}: reads no metric`);
  for (const name of used) assert.ok(exported.has(name), `${where}: ${name} is not a metric the server exports`);
  return used;
}

describe('PromQL metric extraction', () => {
  for (const [expr, want] of [
    ['sum(pulltrace_pulls_active{job=~"$job"})', ['pulltrace_pulls_active']],
    ['histogram_quantile(0.9, sum by (le) (rate(pulltrace_pull_duration_seconds_bucket[5m])))', ['pulltrace_pull_duration_seconds_bucket']],
    ['sum(increase(a_total[30m])) / clamp_min(sum(increase(b_total[30m])), 1) > 0.25', ['a_total', 'b_total']],
    ['max(x) < max(max_over_time(x[1h]))', ['x']],
    ['absent(up{job="pulltrace"})', ['up']],
    ['rate(a[$__rate_interval]) and on (instance) b', ['a', 'b']],
  ] as const) {
    test(expr, () => assert.deepEqual(metricNames(expr), [...want]));
  }
});

describe('docs/grafana/pulltrace.json', () => {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'grafana', 'pulltrace.json'), 'utf8'));
  const targets = (dashboard.panels as Array<{ title: string; targets?: Array<{ expr: string }> }>).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })),
  );

  test('is a dashboard with panels, a uid and a Prometheus data source variable', () => {
    assert.equal(typeof dashboard.title, 'string');
    assert.equal(dashboard.uid, 'pulltrace');
    assert.ok(targets.length >= 9);
    assert.ok(dashboard.templating.list.some((v: { type: string; query: string }) => v.type === 'datasource' && v.query === 'prometheus'));
  });

  test('every panel query reads only exported metrics', () => {
    for (const t of targets) assertKnown(t.expr, `panel "${t.title}"`);
    for (const v of dashboard.templating.list as Array<{ definition?: string }>) {
      const metric = v.definition ? /label_values\(([a-z_:][a-z0-9_:]*)/.exec(v.definition)?.[1] : undefined;
      if (metric) assert.ok(exported.has(metric), `variable query reads ${metric}`);
    }
  });

  test('shows all nine metrics', () => {
    const used = new Set(targets.flatMap((t) => assertKnown(t.expr, t.title)));
    for (const name of CONTRACT_METRICS) assert.ok(used.has(name), `no panel shows ${name}`);
  });

  test('panel ids are unique and panels do not overlap', () => {
    const panels = dashboard.panels as Array<{ id: number; gridPos: { x: number; y: number; w: number; h: number } }>;
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    for (const a of panels) {
      for (const b of panels) {
        if (a === b) continue;
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        assert.ok(!overlap, `panels ${a.id} and ${b.id} overlap`);
      }
      assert.ok(a.gridPos.x + a.gridPos.w <= 24, `panel ${a.id} fits the 24-column grid`);
    }
  });
});

describe('docs/prometheus/alerts.yaml', () => {
  const rules = parseYaml(readFileSync(join(REPO_ROOT, 'docs', 'prometheus', 'alerts.yaml'), 'utf8'));
  const all = (rules.groups as Array<{ name: string; rules: Array<Record<string, unknown>> }>).flatMap((g) => g.rules);

  test('is a rule file: groups of alerts with a severity, a summary and a description', () => {
    assert.ok(all.length > 0);
    const names = new Set<string>();
    for (const rule of all) {
      assert.match(String(rule.alert), /^Pulltrace[A-Za-z]+$/);
      assert.ok(!names.has(String(rule.alert)), `${rule.alert} is defined once`);
      names.add(String(rule.alert));
      assert.ok(
        ['info', 'warning', 'critical'].includes(String((rule.labels as Record<string, unknown>).severity)),
        `${rule.alert} severity`,
      );
      const annotations = rule.annotations as Record<string, string>;
      assert.ok(annotations.summary && annotations.description, `${rule.alert} explains itself`);
      if (rule.for !== undefined) assert.match(String(rule.for), /^\d+[smh]$/);
    }
  });

  test('every expression reads only exported metrics', () => {
    for (const rule of all) assertKnown(String(rule.expr), String(rule.alert));
  });

  test('covers pull errors, long stalls and missing agents', () => {
    const reads = (name: string) => all.some((r) => metricNames(String(r.expr)).includes(name));
    assert.ok(reads('pulltrace_pull_errors_total'));
    assert.ok(reads('pulltrace_pulls_stalled'));
    assert.ok(reads('pulltrace_agents_connected'));
  });

  test('failure kinds alert apart (rate-limited is not not-found), slow pulls alert, reasons are real', () => {
    const byReason = (reason: string) => all.filter((r) => new RegExp(`reason=~?"[^"]*\\b${reason}\\b`).test(String(r.expr)));
    const severity = (r: Record<string, unknown>) => String((r.labels as Record<string, unknown>).severity);
    const [limited] = byReason('rate_limited');
    const [missing] = byReason('not_found');
    assert.ok(limited && missing, 'a rule for rate-limited pulls and one for missing images');
    assert.notEqual(limited.alert, missing.alert);
    assert.notEqual(severity(limited), severity(missing), 'a rate limit pages differently from a typo');
    assert.ok(all.some((r) => metricNames(String(r.expr)).includes('pulltrace_pulls_slow')));
    for (const rule of all) {
      for (const m of String(rule.expr).matchAll(/reason=~?"([^"]+)"/g)) {
        for (const reason of (m[1] as string).split('|'))
          assert.ok(FAILURE_REASONS.includes(reason as never), `${rule.alert}: ${reason} is a failure reason`);
      }
    }
  });
});

describe('docs/grafana/pulltrace.json imports with a data source prompt', () => {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'grafana', 'pulltrace.json'), 'utf8'));
  test('declares a Prometheus data source input, which the data source variable defaults to', () => {
    // Grafana's import asks for every __inputs entry and replaces ${NAME} throughout the JSON.
    const inputs = dashboard.__inputs as Array<{ name: string; type: string; pluginId: string }>;
    assert.deepEqual(
      inputs.map((i) => [i.type, i.pluginId]),
      [['datasource', 'prometheus']],
    );
    const name = (inputs[0] as { name: string }).name;
    const variable = (dashboard.templating.list as Array<{ type: string; current: { value?: string } }>).find(
      (v) => v.type === 'datasource',
    );
    assert.equal(variable?.current.value, `\${${name}}`);
    assert.ok((dashboard.__requires as Array<{ id: string }>).some((r) => r.id === 'prometheus'));
  });
});
