// Every fenced shell command in README and docs/, run as far as this machine allows, so a doc that
// drifts fails `npm test`: helm install/upgrade render with the same values (`helm template`), curl
// examples run against a live server (and a documented JSON answer must be the real one), pulltrace
// commands run (`--help`) or have their flags and values checked by the real CLI, the manifest seds
// run over deploy/pulltrace.yaml, npm scripts and node scripts must exist. Commands that need a
// cluster or a container engine are listed in shellCommands.ts (NOT_HERE) with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { isCommand, parseArgs } from '../../src/cli/args.js';
import { resolveSettings } from '../../src/config/index.js';
import { CHART_DIR, type K8sObject, parseManifests, REPO_ROOT, runHelm } from '../chart/helm.js';
import { layer, MiB, type PulltraceProcess, postReport, pullEntry, runPulltrace, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';
import { asHelmTemplate, classify, type DocCommand, docCommands, firstCommand } from './shellCommands.js';

const DOC_FILES = [
  'README.md',
  join('charts', 'pulltrace', 'README.md'),
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => join('docs', n)),
];
const commands: DocCommand[] = DOC_FILES.flatMap((f) => docCommands(f, readFileSync(join(REPO_ROOT, f), 'utf8')));
const where = (c: DocCommand) => `${c.file}:${c.line}: ${c.text}`;
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const chart = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string };

test('the docs hold shell commands of every kind', () => {
  const kinds = new Set<string>(commands.map((c) => classify(c.text).kind));
  for (const k of ['helm-render', 'curl', 'pulltrace', 'sed-manifest', 'npm', 'docker-build', 'not-here']) assert.ok(kinds.has(k), k);
});

test('every command is of a kind this test knows (add new kinds to shellCommands.ts)', () => {
  const unknown = commands.filter((c) => classify(c.text).kind === 'unknown').map(where);
  assert.deepEqual(unknown, []);
});

describe('install steps can be run twice', () => {
  // A guide read top to bottom repeats steps (a second install, a namespace that exists).
  for (const c of commands) {
    const words = firstCommand(c.text);
    if (words[0] === 'helm' && words[1] === 'install') {
      test(where(c), () => assert.fail('use `helm upgrade --install`, which also works when the release exists'));
    }
    if (words[0] === 'kubectl' && words[1] !== 'run' && words.includes('create')) {
      test(where(c), () =>
        assert.ok(
          /--dry-run=client -o yaml \| kubectl apply -f -/.test(c.text) || /\bget\b.*\|\| kubectl/.test(c.text),
          'kubectl create fails when the object exists: pipe --dry-run=client -o yaml into kubectl apply, or guard it with `kubectl get … ||`',
        ),
      );
    }
  }
});

describe('helm install/upgrade render as helm template with the same values', () => {
  for (const c of commands) {
    const k = classify(c.text);
    if (k.kind !== 'helm-render') continue;
    test(where(c), () => {
      const r = runHelm(asHelmTemplate(k.args).map((a) => (a === './charts/pulltrace' || a === 'charts/pulltrace' ? CHART_DIR : a)));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(parseManifests(r.stdout).some((o) => o.kind === 'DaemonSet'));
    });
  }
});

describe('pulltrace commands run, or their flags and values pass the real CLI', () => {
  for (const c of commands) {
    const k = classify(c.text);
    if (k.kind !== 'pulltrace') continue;
    test(where(c), async () => {
      if (k.args.includes('--help')) {
        const r = await runPulltrace(k.args);
        assert.equal(r.code, 0, r.stderr);
        return;
      }
      // Long-running commands: the same parsing and validation the CLI does before it starts anything
      // (for the commands of the settings table), and the real CLI must accept the command and flags.
      const command = k.args[0] ?? '';
      if (isCommand(command)) {
        const parsed = parseArgs(k.args);
        assert.doesNotThrow(() => resolveSettings(command, parsed.flags, k.env));
      }
      const help = await runPulltrace([...k.args, '--help']);
      assert.equal(help.code, 0, `${help.stderr} (the real CLI refused the flags)`);
    });
  }
});

describe('manifest seds edit deploy/pulltrace.yaml as the text says', () => {
  for (const c of commands) {
    if (classify(c.text).kind !== 'sed-manifest') continue;
    test(where(c), () => {
      const sed = c.text.split(/\s\|\s/)[0] as string;
      const r = spawnSync('bash', ['-c', sed], { cwd: REPO_ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const edited = parseManifests(r.stdout);
      const images = edited.flatMap((o: K8sObject) => (o.spec?.template?.spec?.containers ?? []).map((x: K8sObject) => x.image as string));
      assert.equal(images.length, 2, 'server and agent');
      const original = readFileSync(join(REPO_ROOT, 'deploy', 'pulltrace.yaml'), 'utf8');
      assert.notEqual(r.stdout, original, 'the sed changes something');
      if (/image/.test(sed))
        for (const image of images) assert.ok(!original.includes(`image: ${image}\n`), `${image}: the image line was rewritten`);
      if (/k3s/.test(sed)) {
        const agent = edited.find((o) => o.kind === 'DaemonSet') as K8sObject;
        const env = agent.spec.template.spec.containers[0].env as K8sObject[];
        assert.equal(env.find((e) => e.name === 'PULLTRACE_CONTAINERD_SOCKET')?.value, '/run/k3s/containerd/containerd.sock');
        assert.equal(agent.spec.template.spec.volumes.find((v: K8sObject) => v.hostPath).hostPath.path, '/run/k3s/containerd');
      }
    });
  }
});

// npm's own commands the docs use (`npm link` puts the package bins on the PATH), not scripts.
const NPM_COMMANDS = new Set(['ci', 'install', 'link']);

describe('npm scripts, node scripts and the image build exist as written', () => {
  for (const c of commands) {
    const k = classify(c.text);
    if (k.kind === 'npm')
      test(where(c), () => assert.ok(NPM_COMMANDS.has(k.script) || pkg.scripts[k.script], `package.json has no script "${k.script}"`));
    if (k.kind === 'node-script') test(where(c), () => assert.ok(existsSync(join(REPO_ROOT, k.file)), `${k.file} exists`));
    if (k.kind === 'docker-build')
      test(where(c), () => {
        assert.ok(existsSync(join(REPO_ROOT, 'Dockerfile')));
        assert.match(k.tag, new RegExp(`:${chart.appVersion.replaceAll('.', '\\.')}$`), 'the tag is the chart appVersion');
      });
  }
});

describe('curl examples against a live server', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
    // One active pull and one finished (in history), so the examples have something to show.
    const l = (d: string, done: number) => layer(d, 2 * MiB, done, done === 2 * MiB ? 'done' : 'downloading');
    await postReport(server.baseUrl, {
      nodeName: 'worker-1',
      pulls: [pullEntry('docker.io/library/nginx:1.27', 'sha256:m1', [l('sha256:l1', MiB)])],
    });
    await postReport(server.baseUrl, {
      nodeName: 'worker-2',
      pulls: [pullEntry('ghcr.io/acme/api:2', 'sha256:m2', [l('sha256:l2', MiB)])],
    });
    await postReport(server.baseUrl, {
      nodeName: 'worker-2',
      pulls: [pullEntry('ghcr.io/acme/api:2', 'sha256:m2', [l('sha256:l2', MiB)], { status: 'failed', error: 'unauthorized' })],
    });
  });
  after(async () => server?.stop());

  for (const c of commands) {
    const k = classify(c.text);
    if (k.kind !== 'curl') continue;
    test(where(c), () => {
      const url = new URL(k.url);
      assert.ok(
        ['8080', '9090'].includes(url.port) && ['127.0.0.1', 'localhost'].includes(url.hostname),
        'examples use the default local ports',
      );
      const live = new URL(url.port === '9090' ? server.metricsUrl : server.baseUrl);
      let text = c.text.replaceAll(`${url.protocol}//${url.host}`, `http://${live.host}`);
      // A stream runs until stopped: let it run briefly (curl then exits 28; the pipeline's last command decides).
      const streaming = /\bcurl\b[^|]*\s-\w*N/.test(text);
      if (streaming) text = text.replace(/\bcurl\b/, 'curl --max-time 3');
      const r = spawnSync('bash', ['-c', text], { encoding: 'utf8', timeout: 30_000 });
      const stoppedStream = streaming && !/\|/.test(text) && r.status === 28; // curl's "timed out": the stream was cut, as Ctrl-C would
      assert.ok(r.status === 0 || stoppedStream, `exit ${r.status}: ${r.stderr}`);
      assert.notEqual(r.stdout.trim(), '', 'prints something');
      if (!/\|/.test(text) && !streaming) {
        const body = JSON.parse(r.stdout);
        if (c.followingJson) assert.deepEqual(body, JSON.parse(c.followingJson), 'the documented answer is the real one');
        else assert.equal(body.error, undefined, `answered an error: ${r.stdout}`);
      }
    });
  }
});

test('the docs are read from the repository', () => {
  assert.ok(commands.length > 20, `found ${commands.length} commands in ${DOC_FILES.map((f) => relative('.', f)).join(', ')}`);
});

describe('documented error messages are the real ones', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
  });
  after(async () => server?.stop());

  test('docs/api.md and docs/openapi.yaml: the invalid-report example', async () => {
    const l = layer('sha256:l', MiB, 0);
    const bad = { ...l, totalBytes: -1 };
    const res = await postReport(server.baseUrl, {
      nodeName: 'worker-1',
      pulls: [pullEntry('a:1', 'sha256:a', [l]), pullEntry('b:1', 'sha256:b', [l]), pullEntry('c:1', 'sha256:c', [bad])],
    });
    assert.equal(res.status, 400);
    const real = (await res.json()) as { error: string; message: string };
    const api = readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8');
    const documented = /`(pulls\[2\]\.layers\[0\]\.totalBytes [^`]+)`/.exec(api)?.[1];
    assert.equal(documented, real.message, 'docs/api.md error table');
    const openapi = parseYaml(readFileSync(join(REPO_ROOT, 'docs', 'openapi.yaml'), 'utf8'));
    assert.deepEqual(openapi.components.schemas.Error.example, real, 'docs/openapi.yaml Error example');
  });
});
