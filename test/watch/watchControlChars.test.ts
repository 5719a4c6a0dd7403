// A crafted image name never drives a terminal. Kubernetes accepts an image name holding escape
// sequences; the kubelet refuses to pull it and reports it in an Event, quoted with Go's %q. The
// real server (text logs) reads that Event from the fake API server and serves the name exactly,
// as escaped JSON; `pulltrace watch` in a real terminal (tmux, every byte it receives recorded)
// shows it with visible escapes, in plain lines and on the live screen, and the server's text log
// does the same. The terminal's title stays, and no BEL or OSC byte reaches it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PullStatus } from '../../src/model/index.js';
import {
  FakeKubeApi,
  goQuote,
  kubeletEvent,
  type ManagedProcess,
  podObject,
  postReportOk,
  pulltraceArgs,
  report,
  startProcess,
  startTmux,
  syntheticPull,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NODE = 'evil-node';
// Retitles the terminal (OSC 2 … BEL), clears it, and paints what follows red.
const IMAGE = 'evil.example/app\x1b]2;PWNED\x07\x1b[2J\x1b[31m:1';
const SHOWN = 'evil.example/app\\x1b]2;PWNED\\x07\\x1b[2J\\x1b[31m:1';
const ERROR_FROM_AGENT = 'unexpected status from registry\x1b]2;PWNED-TOO\x07\r\nsecond line';

let kube: FakeKubeApi;
let server: ManagedProcess;
let baseUrl: string;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-ctl-'));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  const args = ['server', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:', '--kubernetes', 'auto'];
  server = startProcess(process.execPath, [...pulltraceArgs(), ...args, '--log-format', 'text'], {
    name: 'pulltrace server (text logs)',
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  const port = await waitFor(() => /INFO: \[server\] listening .*"httpPort":(\d+)/.exec(server.stdout())?.[1], {
    timeoutMs: 60_000,
    what: 'the text "listening" line',
  }).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`);
  });
  baseUrl = `http://127.0.0.1:${port}`;
  await kube.waitForWatches(2);

  // What the kubelet does with such a pod: InvalidImageName in its status, an InspectFailed Event.
  const reason = `couldn't parse image reference ${goQuote(IMAGE)}: invalid reference format`;
  const message = `Failed to apply default image tag ${goQuote(IMAGE)}: ${reason}`;
  const pod = kube.apply(
    podObject({
      name: 'crafted',
      namespace: 'shop',
      nodeName: NODE,
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'InvalidImageName', message } } }],
    }),
  );
  kube.apply(kubeletEvent({ pod, container: 'app', node: NODE, reason: 'InspectFailed', message }));
  const pull = await waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/api/v1/pulls?node=${NODE}`);
      return ((await res.json()) as { pulls: PullStatus[] }).pulls.find((p) => p.status === 'failed');
    },
    { timeoutMs: 20_000, what: `the failed pull the kubelet Event creates on ${NODE}\n${server.stdout()}` },
  );
  assert.equal(pull.imageRef, IMAGE, "the API serves kubelet's name exactly (JSON escapes it)");

  // An agent's error text is free text: it may hold control characters too.
  const startedAt = new Date().toISOString();
  await postReportOk(
    baseUrl,
    report('agent-node', [syntheticPull({ imageRef: 'registry.example.com/app:1', startedAt, layers: [{ size: 1000 }], downloaded: 10 })]),
  );
  await postReportOk(
    baseUrl,
    report('agent-node', [
      syntheticPull({
        imageRef: 'registry.example.com/app:1',
        startedAt,
        layers: [{ size: 1000 }],
        downloaded: 10,
        status: 'failed',
        error: ERROR_FROM_AGENT,
      }),
    ]),
  );
});

after(async () => {
  await server?.stop();
  await kube?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Colour sequences (SGR) and the cursor and line sequences of a redrawing screen removed. */
function withoutOwnSequences(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the sequences the watch itself writes
  return text.replace(/\x1b\[[0-9;?]*[mAKGHl]/g, '');
}

function assertNoTerminalControl(bytes: Buffer, where: string): void {
  assert.equal(bytes.indexOf(0x07), -1, `${where}: a BEL byte reached the terminal`);
  assert.equal(bytes.indexOf('\x1b]'), -1, `${where}: an OSC sequence reached the terminal`);
  assert.equal(bytes.indexOf('\x1b[2J'), -1, `${where}: a clear-screen sequence reached the terminal`);
  // Whatever colours the caller's NO_COLOR/TERM allow, nothing else than the watch's own sequences.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
  assert.doesNotMatch(withoutOwnSequences(bytes.toString('utf8')), /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/, where);
}

test('watch --output plain and wide in a terminal: the crafted name and error shown with visible escapes, no control byte reaches the pane', async (t) => {
  for (const mode of ['plain', 'wide']) {
    const term = startTmux(
      [process.execPath, ...pulltraceArgs(), 'watch', '--server', baseUrl, '--output', mode, '--until-done', '--since', '1h'],
      {
        width: 250,
        height: 30,
        cwd: REPO,
      },
    );
    t.after(() => term.kill());
    // The pulls finished before the watch started: --since brings them into --until-done's count.
    assert.equal(await term.waitForExit(), 1, 'every matched pull finished, some failed');
    const screen = term.capture();
    assert.ok(screen.includes(`${NODE}  ${SHOWN}  failed`), `the name with visible escapes (${mode}):\n${screen}`);
    const output = term.output().toString('utf8');
    assert.match(output, /error: unexpected status from registry\\x1b\]2;PWNED-TOO\\x07 second line/, `${mode}: ${JSON.stringify(output)}`);
    assert.notEqual(term.title(), 'PWNED', 'the terminal title was not changed');
    assert.notEqual(term.title(), 'PWNED-TOO', 'the terminal title was not changed');
    assertNoTerminalControl(term.output(), `watch --output ${mode}`);
  }
});

test('watch live screen in a terminal: the crafted name shown with visible escapes, no BEL, OSC or clear reaches the pane', async (t) => {
  const term = startTmux([process.execPath, ...pulltraceArgs(), 'watch', '--server', baseUrl], { width: 250, height: 30, cwd: REPO });
  t.after(() => term.kill());
  const screen = await term.waitForScreen('the crafted image with visible escapes', (s) => s.includes(SHOWN));
  assert.match(screen, new RegExp(`${NODE}\\s`));
  term.sendKeys('q');
  assert.equal(await term.waitForExit(), 0);
  assert.notEqual(term.title(), 'PWNED', 'the terminal title was not changed');
  const bytes = term.output();
  assert.equal(bytes.indexOf(0x07), -1, 'a BEL byte reached the terminal');
  assert.equal(bytes.indexOf('\x1b]'), -1, 'an OSC sequence reached the terminal');
  assert.equal(bytes.indexOf('\x1b[2J'), -1, 'a clear-screen sequence reached the terminal');
});

test("the server's text log shows the crafted name and error with visible escapes, no control character", () => {
  const text = server.stdout();
  assert.ok(text.includes(SHOWN), `the name with visible escapes in the text log:\n${text}`);
  assert.ok(text.includes('unexpected status from registry\\x1b]2;PWNED-TOO\\x07 second line'), 'the agent error, printable');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
  assert.doesNotMatch(text.replace(/\x1b\[[0-9;]*m/g, ''), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
});
