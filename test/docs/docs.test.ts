// The docs stay true: the configuration reference matches the CLI's settings table, links
// resolve, documented `--set` flags and values files render with the real chart, the OpenAPI
// document covers the contract's endpoints and its references resolve.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SETTINGS } from '../../src/config/index.js';
import { buildApiApp } from '../../src/server/http/apiAppFixture.js';
import { API_ERROR_CODES, API_ERRORS } from '../../src/server/http/apiError.js';
import { registeredApiRoutes } from '../../src/server/http/app.js';
import { AGENT_AUTH_METRIC_NAMES } from '../../src/server/metrics/agentAuthMetrics.js';
import { HISTORY_QUEUE_METRIC_NAMES } from '../../src/server/metrics/historyQueueMetrics.js';
import { METRIC_NAMES } from '../../src/server/metrics/pullMetrics.js';
import { REPORT_LOG_METRIC_NAMES } from '../../src/server/metrics/reportLogMetrics.js';
import { CHART_DIR, parseManifests, REPO_ROOT, runHelm, TEST_IMAGE_REPOSITORY, templateChart } from '../chart/helm.js';
import { keysOfCell, undocumentedKeys, valueKeys } from './chartValuesTable.js';
import { anchors, codeBlocks, links, stripTicks, tableBlocks, tableRows, tableShapeProblem } from './markdown.js';

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
      // Placeholders (<secret>, $(openssl …)) become a plain word (an absolute path for a path);
      // real values stay as written, and helm parses them itself (lists `{a,b}`, numbers, booleans).
      const value = /[<$]/.test(raw) || raw === '' ? (/Path$/.test(key) ? '/run/example/containerd.sock' : 'example') : raw;
      const r = runHelm([
        'template',
        'pulltrace',
        CHART_DIR,
        '--set',
        `image.repository=${TEST_IMAGE_REPOSITORY}`,
        '--set',
        `${key}=${value}`,
      ]);
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

  // The seds over deploy/pulltrace.yaml are run by commands.test.ts.
  test('the manifest placeholder image is what the seds replace', () => {
    assert.ok(text.includes('s#image: registry.example.com/pulltrace:#'));
    const count = read(join(REPO_ROOT, 'deploy', 'pulltrace.yaml')).split('image: registry.example.com/pulltrace:').length - 1;
    assert.equal(count, 2, 'the server and the agent image lines');
  });

  test('names the files and objects that exist', () => {
    for (const path of ['deploy/pulltrace.yaml', 'charts/pulltrace']) {
      assert.ok(text.includes(path) && existsSync(join(REPO_ROOT, path)), path);
    }
    const chart = parseYaml(read(join(CHART_DIR, 'Chart.yaml')));
    assert.ok(
      text.includes(`docker build -t registry.example.com/tools/pulltrace:${chart.appVersion} .`) &&
        existsSync(join(REPO_ROOT, 'Dockerfile')),
    );
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

  test('its table lists every metric the server registers', () => {
    const names = tableRows(text)
      .map((r) => stripTicks(r[0] ?? ''))
      .filter((c) => c.startsWith('pulltrace_'));
    assert.deepEqual(
      names.sort(),
      [...METRIC_NAMES, ...HISTORY_QUEUE_METRIC_NAMES, ...REPORT_LOG_METRIC_NAMES, ...AGENT_AUTH_METRIC_NAMES].sort(),
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

/** The API's routes as the server registers them: [method, OpenAPI path], HEAD left out. */
const apiRoutes: Array<readonly [string, string]> = [];
before(async () => {
  const api = await buildApiApp();
  for (const [url, methods] of registeredApiRoutes(api.app)) {
    for (const m of methods) if (m !== 'HEAD') apiRoutes.push([m.toLowerCase(), url.replace(/:(\w+)/g, '{$1}')] as const);
  }
  await api.close();
});
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

describe('docs/api.md', () => {
  const text = read(join(DOCS, 'api.md'));

  test('the endpoint table lists every endpoint the server registers', () => {
    const rows = new Set(tableRows(text).map((r) => `${stripTicks(r[0] ?? '')} ${stripTicks(r[1] ?? '')}`));
    for (const [method, path] of apiRoutes) assert.ok(rows.has(`${method.toUpperCase()} ${path}`), `${method.toUpperCase()} ${path}`);
  });

  test('the error code table is the catalogue in errorCatalogue.ts, with its statuses', () => {
    const errors = text.slice(text.indexOf('\n## Errors'));
    const section = errors.slice(0, errors.indexOf('\n## ', 1) > 0 ? errors.indexOf('\n## ', 1) : undefined);
    const rows = tableRows(section).filter((r) => /^`[a-z_]+`$/.test(r[0] ?? ''));
    const codes = rows.map((r) => stripTicks(r[0] ?? ''));
    assert.deepEqual([...codes].sort(), Object.keys(API_ERROR_CODES).sort());
    for (const row of rows) {
      const code = stripTicks(row[0] ?? '') as keyof typeof API_ERRORS;
      const documented = /\((\d{3}|4xx)\)$/.exec((row[1] ?? '').trim())?.[1];
      const status = API_ERRORS[code]?.status;
      assert.ok(
        documented === String(status) || (documented === '4xx' && code === 'bad_request'),
        `${code}: docs say (${documented}), the server answers ${status}`,
      );
    }
  });
});

describe('docs/openapi.yaml', () => {
  const file = join(DOCS, 'openapi.yaml');
  const doc = parseYaml(read(file));

  test('is OpenAPI 3.1', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
  });

  test('covers every endpoint the server registers, and the UI and metrics', () => {
    assert.ok(apiRoutes.length >= 7, `the app registered ${apiRoutes.length} API routes`);
    for (const [method, path] of [...apiRoutes, ['get', '/'] as const, ['get', '/metrics'] as const]) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
    }
  });

  test('documents no API endpoint the server does not register', () => {
    const registered = new Set(apiRoutes.map(([m, p]) => `${m} ${p}`));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (path === '/' || path === '/metrics') continue;
      for (const method of Object.keys(item).filter((k) => HTTP_METHODS.has(k))) {
        assert.ok(registered.has(`${method} ${path}`), `${method.toUpperCase()} ${path} is in openapi.yaml but not served`);
      }
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

describe('one story across the docs', () => {
  const all = ownDocs.map((f) => [relative(REPO_ROOT, f), read(f)] as const);

  test('Kubernetes versions: kubelet formats from the same oldest version; the install minimum is the chart’s kubeVersion', () => {
    const chart = parseYaml(read(join(CHART_DIR, 'Chart.yaml')));
    const minimum = /^>=(\d+\.\d+)/.exec(chart.kubeVersion)?.[1];
    for (const [file, text] of all) {
      for (const m of text.matchAll(/Kubernetes\s+(1\.\d+)\s*(?:to|–|-)\s*1\.\d+/g)) assert.equal(m[1], '1.18', `${file}: "${m[0]}"`);
      for (const m of text.matchAll(/Kubernetes\s+\*{0,2}(1\.\d+) or newer/g)) assert.equal(m[1], minimum, `${file}: "${m[0]}"`);
    }
  });

  test('vulnerabilities are reported as SECURITY.md says, and the docs point there', () => {
    const policy = read(join(REPO_ROOT, 'SECURITY.md'));
    assert.match(policy, /privately/);
    assert.match(policy, /Report a vulnerability/);
    for (const doc of ['security.md', 'CONTRIBUTING.md'])
      assert.ok(read(join(DOCS, doc)).includes('](../SECURITY.md)'), `${doc} links SECURITY.md`);
  });
});

describe('tables', () => {
  // A second delimiter row (a merge leftover) renders as a row of dashes; tableRows() reads it as a row.
  for (const file of [...ownDocs, join(REPO_ROOT, 'README.md')]) {
    test(`${relative(REPO_ROOT, file)}: every table has one delimiter row, directly under its header`, () => {
      const problems = tableBlocks(read(file)).flatMap((t) => tableShapeProblem(t) ?? []);
      assert.deepEqual(problems, []);
    });
  }
});

describe('the chart README values table', () => {
  const readme = read(join(CHART_DIR, 'README.md'));
  const section = readme.slice(readme.indexOf('\n## Values'), readme.indexOf('\n## ', readme.indexOf('\n## Values') + 1));
  const documented = tableRows(section).flatMap((r) => keysOfCell(r[0] ?? ''));
  const values = parseYaml(read(join(CHART_DIR, 'values.yaml')));

  test('lists every key of values.yaml (each leaf, or a parent below the top level)', () => {
    assert.ok(documented.length > 50, `found ${documented.length} keys in the table`);
    assert.deepEqual(undocumentedKeys(values, documented), []);
  });

  test('lists no key values.yaml does not have', () => {
    const keys = new Set(valueKeys(values).map((k) => k.path));
    assert.deepEqual(
      documented.filter((k) => !keys.has(k)),
      [],
    );
  });
});

describe('pages say what the product does today', () => {
  const page = (path: string) => read(join(REPO_ROOT, path));

  test('limitations.md: replicas, per-node identity and TLS exist', () => {
    const text = page('docs/limitations.md');
    assert.doesNotMatch(text, /\*\*One server replica\.\*\*/);
    assert.doesNotMatch(text, /\*\*One shared agent token\*\*/);
    assert.doesNotMatch(text, /Traffic inside the cluster is plain HTTP\./);
    for (const fact of ['PULLTRACE_BUS', 'PULLTRACE_DB=postgres://', 'PULLTRACE_AGENT_AUTH', 'TokenReview', 'PULLTRACE_TLS_CERT_FILE'])
      assert.ok(text.includes(fact), `limitations.md mentions ${fact}`);
  });

  test('the chart README: replicas are a value, not "single replica by design"', () => {
    const text = read(join(CHART_DIR, 'README.md'));
    assert.doesNotMatch(text, /single replica by design/i);
    assert.match(text, /`server\.replicaCount`/);
  });

  test('agent.md names every containerd version the version tests run, and no untested claim', () => {
    const text = page('docs/agent.md');
    const series = readdirSync(join(REPO_ROOT, 'test', 'agent', 'versions'))
      .map((n) => /^containerd-(.+)\.test\.ts$/.exec(n)?.[1])
      .filter((s): s is string => s !== undefined);
    assert.ok(series.length >= 3, `version suites: ${series}`);
    const testedRow = /^\| (\S+)\s+\| `containerd` ([\d.]+)/gm;
    const rows = [...text.matchAll(testedRow)].map((m) => m[1]);
    assert.deepEqual(rows.sort(), [...series].sort(), 'the version table has one row per version suite');
    const limits = /\*\*Tested with\*\*([\s\S]*?)\n(?:- |\n)/.exec(text)?.[1] ?? '';
    for (const m of text.matchAll(testedRow)) assert.ok(limits.includes(m[2] as string), `the Limits bullet names containerd ${m[2]}`);
    assert.doesNotMatch(text, /not run here/);
    assert.doesNotMatch(text, /CLI also imports the server/, 'pulltrace agent loads none of the server (agentModules.test.ts)');
  });

  test('troubleshooting.md quotes messages the product prints, and suggests loopback addresses', () => {
    const text = page('docs/troubleshooting.md').replace(/\s+/g, ' ');
    const sourceFiles = [
      ...readdirSync(join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
        .map((n) => join(REPO_ROOT, 'src', n)),
      ...readdirSync(join(CHART_DIR, 'templates')).map((n) => join(CHART_DIR, 'templates', n)),
    ];
    const srcText = sourceFiles.map(read).join('\n');
    // Messages of the product the page quotes, `…` standing for a name or a number it fills in.
    const quoted = [
      'cannot report to the server',
      'the server refused the agent token (HTTP 401); set the same --agent-token as the server',
      'the server refused the token from … (HTTP 401: …)',
      "the server refused this agent's identity (HTTP 403: …)",
      'this agent may not send this report; the server log says why',
      'token is bound to node …, report is for …',
      'ServiceAccount … may not report (allowed: …)',
      "the agent's identity cannot be checked right now; retry later",
      'cannot check agent tokens: TokenReview failed;',
      "the server limits this agent's reports for now (HTTP 429: …)",
      "the server's TLS certificate is not trusted (…); set PULLTRACE_SERVER_CA_FILE to the CA that signed it",
      'cannot listen on …:…: the address is already in use (choose another with --http-addr / --metrics-addr)',
      'nothing is listening on containerd socket … (is containerd running?)',
      'containerd not answering yet',
      'no containerd socket found',
      'is too short: … must be at least …ms',
      'agent report refused; nothing changed',
    ];
    for (const message of quoted) {
      const parts = message
        .split('…')
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
      for (const part of parts) assert.ok(srcText.includes(part), `the product prints "${part}" (${message})`);
      assert.ok(text.includes(parts[0] as string), `troubleshooting.md quotes "${message}"`);
    }
    assert.doesNotMatch(text, /--(?:http|metrics|agent)-addr :\d/, 'suggest a loopback address (127.0.0.1:port), not every interface');
  });

  test('architecture.md covers every src/ folder, replicas, PostgreSQL, agent identity and the clients', () => {
    const text = page('docs/architecture.md');
    const layout = codeBlocks(text).find((b) => b.body.includes('src/model/'))?.body ?? '';
    const folders = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const d of folders) assert.ok(layout.includes(`src/${d.name}/`), `the code layout names src/${d.name}/`);
    for (const fact of ['PULLTRACE_BUS', 'PostgreSQL', 'TokenReview', 'pulltrace watch', 'kubectl pulltrace', '/api/v1/agents'])
      assert.ok(text.includes(fact), `architecture.md mentions ${fact}`);
  });

  test('README.md says what the original Pulltrace is and puts the commands on the PATH in the quick start', () => {
    const text = page('README.md');
    assert.match(text, /original \[Pulltrace\]\(https:\/\/github\.com\/d44b\/pulltrace\), a Go\s+project/);
    const quickStart = text.slice(text.indexOf('\n## Quick start'), text.indexOf('\n## ', text.indexOf('\n## Quick start') + 1));
    const setUp = codeBlocks(quickStart)[0]?.body ?? '';
    assert.match(setUp, /^npm link\b/m, 'the quick start links the package bins onto the PATH');
    const bins = Object.keys(JSON.parse(read(join(REPO_ROOT, 'package.json'))).bin as Record<string, string>);
    for (const bin of bins) assert.ok(setUp.includes(bin), `the quick start says npm link gives ${bin}`);
  });

  test('capacity.md says once what machine its figures come from', () => {
    const text = page('docs/capacity.md');
    assert.doesNotMatch(text, /will be replaced by a run on a quiet machine/);
    assert.doesNotMatch(text, /Every figure below\s+was measured on a 2-core machine \*\*shared/);
    assert.doesNotMatch(text, /to be confirmed on a quiet/i);
  });
});

describe('the npm package', () => {
  const pkg = JSON.parse(read(join(REPO_ROOT, 'package.json'))) as { bin: Record<string, string>; files: string[] };
  const shipped = (path: string) => pkg.files.some((f) => path === f || path.startsWith(`${f}/`));

  test('"files" ships the bins and every file they import', () => {
    for (const bin of Object.values(pkg.bin)) {
      assert.ok(shipped(bin), `${bin} is in "files"`);
      const imports = [...read(join(REPO_ROOT, bin)).matchAll(/from '(\.\.?\/[^']+)'/g)].map((m) => m[1] as string);
      assert.ok(imports.length > 0, `${bin} imports the built code`);
      for (const target of imports) {
        const path = relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, bin)), target));
        assert.ok(shipped(path), `${bin} imports ${path}, which "files" does not ship`);
      }
    }
  });

  test('"files" ships what the built code reads at run time (the web UI, the containerd protos)', () => {
    // src/server/http/staticUi.ts serves dist/web; src/agent/containerd/protos.ts loads proto/containerd.
    for (const path of ['dist/web/index.html', 'proto/containerd/content.proto']) assert.ok(shipped(path), path);
    assert.ok(existsSync(join(REPO_ROOT, 'proto', 'containerd', 'content.proto')));
  });
});
