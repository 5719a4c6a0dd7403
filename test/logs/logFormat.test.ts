// Logs for people: on a terminal (tmux) the server prints human-readable lines, JSON lines with
// --log-format json; piped it prints JSON unless --log-format text; a pull failure reads as one
// line with its error; a bad value is refused naming the setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MB, postReportOk, pulltraceArgs, report, runPulltrace, startProcess, startTmux, syntheticPull, waitFor } from '../kit/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = ['server', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:', '--kubernetes', 'off'];

test('on a terminal: human-readable lines by default, JSON with --log-format json', async (t) => {
  const human = startTmux([process.execPath, ...pulltraceArgs(), ...SERVER], { width: 200, height: 20, cwd: REPO });
  t.after(() => human.kill());
  const screen = await human.waitForScreen('a human-readable "listening" line', (s) =>
    /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[server\] listening /m.test(s),
  );
  assert.doesNotMatch(screen, /\{"level"/, 'no JSON lines on a terminal');
  human.sendKeys('C-c');
  assert.equal(await human.waitForExit(), 0);

  const json = startTmux([process.execPath, ...pulltraceArgs(), ...SERVER, '--log-format', 'json'], {
    width: 200,
    height: 20,
    cwd: REPO,
  });
  t.after(() => json.kill());
  await json.waitForScreen('a JSON "listening" line', (s) => /^\{"level":"info",.*"msg":"listening"/m.test(s.replace(/\n(?!\{|$)/g, '')));
  json.sendKeys('C-c');
  assert.equal(await json.waitForExit(), 0);
});

test('piped: --log-format text gives readable lines, a failed pull on one line with its error', async (t) => {
  const proc = startProcess(process.execPath, [...pulltraceArgs(), ...SERVER, '--log-format', 'text'], {
    name: 'pulltrace server (text logs)',
  });
  t.after(() => proc.stop());
  const listening = await waitFor(() => /INFO: \[server\] listening .*"httpPort":(\d+)/.exec(proc.stdout()), {
    timeoutMs: 30_000,
    what: `the text "listening" line\n${proc.stdout()}${proc.stderr()}`,
  });
  const url = `http://127.0.0.1:${listening[1]}`;
  const startedAt = new Date().toISOString();
  const pull = { imageRef: 'registry.example.com/logs/app:1', startedAt, layers: [{ size: 10 * MB }] };
  await postReportOk(url, report('log-node', [syntheticPull({ ...pull, downloaded: MB })]));
  await postReportOk(url, report('log-node', [syntheticPull({ ...pull, downloaded: 4 * MB, status: 'failed', error: 'unexpected EOF' })]));
  const line = await waitFor(
    () =>
      proc
        .stdout()
        .split('\n')
        .find((l) => l.includes('pull.failed')),
    { timeoutMs: 15_000, what: 'the pull.failed line' },
  );
  assert.match(
    line,
    /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: .*pull\.failed registry\.example\.com\/logs\/app:1 on log-node · failed · 40\.0% · error: unexpected EOF/,
  );
  assert.ok(
    !proc
      .stdout()
      .split('\n')
      .some((l) => l.startsWith('{')),
    'no JSON lines',
  );
});

test('a bad --log-format, by flag or environment, is refused naming it', async () => {
  const bad = await runPulltrace([...SERVER, '--log-format', 'yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--log-format: .*yaml.*(auto|json|text)/);
  const envBad = await runPulltrace(SERVER, { PULLTRACE_LOG_FORMAT: 'pretty' });
  assert.equal(envBad.code, 2);
  assert.match(envBad.stderr, /PULLTRACE_LOG_FORMAT: /);
});
