// The docs stay true: the configuration reference matches the CLI's settings table, links
// resolve, documented `--set` flags and values files render with the real chart, the OpenAPI
// document covers the contract's endpoints and its references resolve.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SETTINGS } from '../../src/cli/settings.js';
import { CHART_DIR, type K8sObject, oneOfKind, parseManifests, REPO_ROOT, templateChart } from '../chart/helm.js';
import { anchors, codeBlocks, links, stripTicks, tableRows } from './markdown.js';

const DOCS = join(REPO_ROOT, 'docs');
const read = (path: string) => readFileSync(path, 'utf8');
const ownDocs = [
  ...readdirSync(DOCS)
    .filter((n) => n.endsWith('.md'))
    .map((n) => join(DOCS, n)),
  join(CHART_DIR, 'README.md'),
];

// Written by other engineers in the same release; linked from here before they land.
const DELIVERED_ELSEWHERE = new Set(['docs/agent.md', 'docs/kubernetes.md']);

describe('docs/configuration.md', () => {
  const rows = tableRows(read(join(DOCS, 'configuration.md'))).filter(
    (r) => /^`PULLTRACE_[A-Z_]+`$/.test(r[0] ?? '') && /^`--[a-z-]+`$/.test(r[1] ?? ''),
  );
  const documented = new Map<string, { flag: string; default: string }>();
  for (const r of rows) {
    const env = stripTicks(r[0] as string);
    const entry = { flag: stripTicks(r[1] as string), default: stripTicks(r[2] as string) };
    const earlier = documented.get(env);
    if (earlier) assert.deepEqual(entry, earlier, `${env} is documented twice, differently`);
    documented.set(env, entry);
  }

  test('lists exactly the settings the CLI reads', () => {
    assert.deepEqual([...documented.keys()].sort(), SETTINGS.map((s) => s.env).sort());
  });

  for (const s of SETTINGS) {
    test(`${s.env}: flag --${s.flag}, default as the CLI has it`, () => {
      const doc = documented.get(s.env);
      assert.ok(doc, `${s.env} is documented`);
      assert.equal(doc.flag, `--${s.flag}`);
      assert.equal(doc.default, s.defaultDoc ?? (s.default === '' ? 'empty' : s.default));
    });
  }
});

describe('links', () => {
  for (const file of ownDocs) {
    test(`${relative(REPO_ROOT, file)}: relative links and anchors resolve`, () => {
      const text = read(file);
      for (const target of links(text)) {
        if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const absolute = path === '' ? file : resolve(dirname(file), path);
        const fromRoot = relative(REPO_ROOT, absolute);
        if (!existsSync(absolute)) {
          assert.ok(DELIVERED_ELSEWHERE.has(fromRoot), `${target} → ${fromRoot} does not exist`);
          continue;
        }
        if (anchor && absolute.endsWith('.md')) {
          assert.ok(anchors(read(absolute)).has(anchor), `${target}: no heading #${anchor} in ${fromRoot}`);
        }
      }
    });
  }
});

describe('documented chart settings render', () => {
  const sets = new Set<string>();
  for (const file of ownDocs) {
    for (const m of read(file).matchAll(/--set '?([A-Za-z][\w.[\]]*)=([^\s'`|)]*)/g)) sets.add(`${m[1]}=${m[2]}`);
  }

  test('the docs show --set flags', () => assert.ok(sets.size >= 10, `found ${sets.size}`));

  for (const set of sets) {
    test(`--set ${set}`, () => {
      const [key, raw] = set.split(/=(.*)/s) as [string, string];
      // Placeholders (<secret>, $(openssl …)) become a plain word; real values stay as written.
      const typed = valuesFromSet(key, /[<$]/.test(raw) || raw === '' ? 'example' : raw);
      const r = templateChart({ values: typed });
      assert.equal(r.code, 0, `helm template --set ${set}: ${r.stderr}`);
    });
  }

  test('values files in the chart README render', () => {
    const blocks = codeBlocks(read(join(CHART_DIR, 'README.md'))).filter((b) => b.lang === 'yaml');
    assert.ok(blocks.length > 0);
    for (const b of blocks) {
      const r = templateChart({ values: parseYaml(b.body) });
      assert.equal(r.code, 0, `${b.body.split('\n')[0]}: ${r.stderr}`);
    }
  });
});

describe('docs/installation.md', () => {
  const text = read(join(DOCS, 'installation.md'));

  test('the k3s sed on deploy/pulltrace.yaml points the agent at k3s containerd', () => {
    assert.ok(text.includes("sed 's#/run/containerd#/run/k3s/containerd#g' deploy/pulltrace.yaml | kubectl apply -f -"));
    const edited = read(join(REPO_ROOT, 'deploy', 'pulltrace.yaml')).replaceAll('/run/containerd', '/run/k3s/containerd');
    const agent = oneOfKind(parseManifests(edited), 'DaemonSet').spec.template.spec as K8sObject;
    const env = new Map((agent.containers[0].env as K8sObject[]).map((e) => [e.name, e.value]));
    assert.equal(env.get('PULLTRACE_CONTAINERD_SOCKET'), '/run/k3s/containerd/containerd.sock');
    assert.equal(agent.volumes.find((v: K8sObject) => v.hostPath).hostPath.path, '/run/k3s/containerd');
  });

  test('the image sed matches the image line of deploy/pulltrace.yaml', () => {
    const m = /sed 's#(image: [^#]+)#/.exec(text);
    assert.ok(m, 'installation.md shows the image sed');
    const count = read(join(REPO_ROOT, 'deploy', 'pulltrace.yaml')).split(m[1] as string).length - 1;
    assert.equal(count, 2, 'the server and the agent image lines');
  });

  test('names the files and objects that exist', () => {
    for (const path of ['deploy/pulltrace.yaml', 'charts/pulltrace']) {
      assert.ok(text.includes(path) && existsSync(join(REPO_ROOT, path)), path);
    }
    assert.ok(text.includes('docker build -t pulltrace:0.1.0 .') && existsSync(join(REPO_ROOT, 'Dockerfile')));
    const chart = parseYaml(read(join(CHART_DIR, 'Chart.yaml')));
    assert.ok(text.includes(`pulltrace:${chart.appVersion}`), 'the image tag in the docs is the chart appVersion');
    const objects = parseManifests(read(join(REPO_ROOT, 'deploy', 'pulltrace.yaml')));
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    for (const name of ['Deployment/pulltrace-server', 'DaemonSet/pulltrace-agent', 'Service/pulltrace-server']) {
      assert.ok(names.has(name), `deploy/pulltrace.yaml has ${name}`);
    }
    assert.ok(text.includes('svc/pulltrace-server 8080:8080'));
    assert.ok(text.includes('deployment/pulltrace-server') && text.includes('daemonset/pulltrace-agent'));
  });

  test('the socket table agrees with the chart README and values.yaml comments', () => {
    const paths = [
      '/run/containerd/containerd.sock',
      '/run/k3s/containerd/containerd.sock',
      '/run/k0s/containerd.sock',
      '/var/snap/microk8s/common/run/containerd.sock',
    ];
    for (const p of paths) {
      assert.ok(text.includes(p), `installation.md: ${p}`);
      assert.ok(read(join(CHART_DIR, 'README.md')).includes(p), `chart README: ${p}`);
      assert.ok(read(join(CHART_DIR, 'values.yaml')).includes(p), `values.yaml: ${p}`);
    }
  });
});

describe('docs/metrics.md', () => {
  const text = read(join(DOCS, 'metrics.md'));

  test('its table lists the nine metrics of the contract and the additions', () => {
    const names = tableRows(text)
      .map((r) => stripTicks(r[0] ?? ''))
      .filter((c) => c.startsWith('pulltrace_'));
    assert.deepEqual(
      names.sort(),
      [
        'pulltrace_agent_reports_total',
        'pulltrace_agents_connected',
        'pulltrace_pull_bytes_total',
        'pulltrace_pull_duration_seconds',
        'pulltrace_pull_errors_total',
        'pulltrace_pulls_active',
        'pulltrace_pulls_stalled',
        'pulltrace_pulls_total',
        'pulltrace_sse_clients_active',
        // additions: unpack and queue time, slow pulls
        'pulltrace_pull_unpack_duration_seconds',
        'pulltrace_pull_wait_seconds',
        'pulltrace_pulls_slow',
      ].sort(),
    );
  });

  test('its alert table lists the alerts of docs/prometheus/alerts.yaml', () => {
    const rules = parseYaml(read(join(DOCS, 'prometheus', 'alerts.yaml')));
    const alerts = (rules.groups as Array<{ rules: Array<{ alert: string }> }>).flatMap((g) => g.rules.map((r) => r.alert));
    const documented = tableRows(text)
      .map((r) => stripTicks(r[0] ?? ''))
      .filter((c) => c.startsWith('Pulltrace'));
    assert.deepEqual(documented.sort(), alerts.sort());
  });
});

describe('docs/openapi.yaml', () => {
  const file = join(DOCS, 'openapi.yaml');
  const doc = parseYaml(read(file));

  test('is OpenAPI 3.1', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
  });

  test('covers every endpoint of the contract', () => {
    for (const [method, path] of [
      ['post', '/api/v1/report'],
      ['get', '/api/v1/pulls'],
      ['get', '/api/v1/pulls/{id}'],
      ['get', '/api/v1/events'],
      ['get', '/api/v1/history'],
      ['get', '/healthz'],
      ['get', '/readyz'],
      ['get', '/'],
      ['get', '/metrics'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
    }
  });

  test('the filters of the contract are on pulls, events and history', () => {
    for (const path of ['/api/v1/pulls', '/api/v1/events', '/api/v1/history']) {
      const names = (doc.paths[path].get.parameters as Array<{ $ref?: string; name?: string }>).map(
        (p) => p.name ?? p.$ref?.split('/').pop(),
      );
      for (const f of ['node', 'image', 'namespace', 'pod', 'status']) assert.ok(names.includes(f), `${path} ${f}`);
    }
    const history = (doc.paths['/api/v1/history'].get.parameters as Array<{ name?: string; schema?: { maximum?: number } }>).find(
      (p) => p.name === 'limit',
    );
    assert.equal(history?.schema?.maximum, 500);
  });

  test('every $ref resolves, local and to docs/schemas', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    assert.ok(refs.some((r) => r.startsWith('./schemas/')));
    for (const ref of refs) {
      const [path, pointer] = ref.split('#') as [string, string | undefined];
      const target = path === '' ? doc : JSON.parse(read(resolve(dirname(file), path)));
      let at: unknown = target;
      for (const part of (pointer ?? '').split('/').filter(Boolean)) at = (at as Record<string, unknown> | undefined)?.[part];
      assert.ok(at !== undefined, `${ref} resolves`);
    }
  });
});

/** `--set a.b[0].c=v` as a values object, with helm's typing of booleans and whole numbers. */
function valuesFromSet(key: string, value: string): Record<string, unknown> {
  const leaf: unknown = value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
  const parts = key.replace(/\[(\d+)\]/g, '.$1').split('.');
  let built: unknown = leaf;
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    if (/^\d+$/.test(part)) {
      const list: unknown[] = [];
      list[Number(part)] = built;
      built = list;
    } else {
      built = { [part]: built };
    }
  }
  return built as Record<string, unknown>;
}
