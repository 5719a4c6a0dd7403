import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asHelmTemplate, classify, docCommands, shellWords, stripComment } from './shellCommands.js';

for (const [input, want] of [
  ["curl -s 'http://x/a?b=1&c=2' | jq .", ['curl', '-s', 'http://x/a?b=1&c=2', '|', 'jq', '.']],
  [
    'kubectl create secret x --from-literal=token="$(openssl rand -hex 32)"',
    ['kubectl', 'create', 'secret', 'x', '--from-literal=token=$(openssl rand -hex 32)'],
  ],
  ["--set 'config.watchNamespaces={a,b}'", ['--set', 'config.watchNamespaces={a,b}']],
] as const) {
  test(`shellWords ${input}`, () => assert.deepEqual(shellWords(input), [...want]));
}

for (const [input, want] of [
  ['curl -sN http://x/events     # live events, Ctrl-C to stop', 'curl -sN http://x/events     '],
  ["sed 's#a#b#' f", "sed 's#a#b#' f"],
  ['npm ci  # installs', 'npm ci  '],
] as const) {
  test(`stripComment ${input}`, () => assert.equal(stripComment(input), want));
}

const kinds: Array<[string, string]> = [
  ['helm upgrade --install pulltrace ./charts/pulltrace -n pulltrace', 'helm-render'],
  ['helm uninstall pulltrace --namespace pulltrace', 'not-here'],
  ["curl -s 'http://127.0.0.1:8080/api/v1/pulls?status=active'", 'curl'],
  ['./bin/pulltrace server --history-ttl=1h', 'pulltrace'],
  ['PULLTRACE_HISTORY_TTL=1h ./bin/pulltrace server', 'pulltrace'],
  ['sudo KUBECONFIG=/etc/k.yaml "$(command -v node)" bin/pulltrace standalone', 'pulltrace'],
  ['npm start -- --containerd-socket /x/y.sock', 'pulltrace'],
  ['npm ci', 'npm'],
  ['npm run bench:ingest', 'npm'],
  ['node --import tsx test/chart/renderDeploy.ts', 'node-script'],
  ["sed 's#a#b#' deploy/pulltrace.yaml | kubectl apply -f -", 'sed-manifest'],
  ['docker build -t registry.example.com/tools/pulltrace:0.1.0 .', 'docker-build'],
  ['kubectl -n pulltrace get pods', 'not-here'],
  ['curl -s http://pulltrace-server.pulltrace.svc:8080/api/v1/pulls', 'not-here'],
  ['curl -s --cacert ca.pem https://127.0.0.1:8443/api/v1/pulls', 'not-here'],
  ['rm -rf /', 'unknown'],
];
for (const [input, kind] of kinds) test(`classify ${input} → ${kind}`, () => assert.equal(classify(input).kind, kind));

test('npm start passes its flags to standalone; env prefixes are kept', () => {
  assert.deepEqual(classify('npm start -- --db :memory:'), { kind: 'pulltrace', args: ['standalone', '--db', ':memory:'], env: {} });
  assert.deepEqual(classify('PULLTRACE_LOG_LEVEL=debug pulltrace server'), {
    kind: 'pulltrace',
    args: ['server'],
    env: { PULLTRACE_LOG_LEVEL: 'debug' },
  });
});

test('helm install/upgrade become helm template with the same values', () => {
  assert.deepEqual(
    asHelmTemplate([
      'upgrade',
      '--install',
      'pt',
      './charts/pulltrace',
      '--namespace',
      'pt',
      '--create-namespace',
      '--wait',
      '--timeout',
      '5m',
      '--set',
      'a.b=<secret>',
    ]),
    ['template', 'pt', './charts/pulltrace', '--namespace', 'pt', '--set', 'a.b=example'],
  );
});

test('docCommands joins continuation lines, keeps line numbers and the json example after a block', () => {
  const md = [
    '# T',
    '',
    '```sh',
    'helm upgrade --install a b \\',
    '  --set x=1   # why',
    '```',
    '',
    '```json',
    '{"error":"e"}',
    '```',
    '',
  ].join('\n');
  assert.deepEqual(docCommands('f.md', md), [
    { file: 'f.md', line: 4, text: 'helm upgrade --install a b --set x=1', followingJson: '{"error":"e"}\n' },
  ]);
});
