// `pulltrace watch` in a real terminal (Debian's tmux) against a real server fed by synthetic
// agents: the screen shows the image, percent and speed, follows progress, shows a failure with its
// error, filters by key, expands a pull into its layers, uses colour only when allowed, quits on
// `q`, and under --until-done exits with the rollout's outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, MB, pulltraceArgs, reportEvery, startServer, startTmux, syntheticPull } from '../kit/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APP = 'registry.example.com/shop/app:v2';
const DB = 'registry.example.com/shop/db:5';
const ERROR = 'failed to copy: httpReadSeeker: failed open: unexpected status code 503 Service Unavailable';
const ESC = String.fromCharCode(27);
const LAYERS = [{ size: 60 * MB }, { size: 40 * MB }];
const ROW = (node: string) => new RegExp(`${node}\\s+[█░]+\\s+(\\d+\\.\\d)%\\s+([\\d.]+ [kMG]?B/s)\\s+ETA`);

function watchCommand(...args: string[]): string[] {
  return [process.execPath, ...pulltraceArgs(), 'watch', ...args];
}

test('live screen: image, percent, speed, progress, a failure, key filter, layers, colours, q', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  const startedAt = new Date().toISOString();
  let w1 = 0;
  let failW2 = false;
  const feeds = [
    reportEvery(server.url, 'worker-1', () => {
      w1 = Math.min(w1 + 1 * MB, 95 * MB);
      return [syntheticPull({ imageRef: APP, startedAt, layers: LAYERS, downloaded: w1 })];
    }),
    reportEvery(server.url, 'worker-2', () => [
      syntheticPull({
        imageRef: APP,
        startedAt,
        layers: LAYERS,
        downloaded: 30 * MB,
        ...(failW2 ? { status: 'failed', error: ERROR } : {}),
      }),
    ]),
    reportEvery(server.url, 'worker-3', () => [syntheticPull({ imageRef: DB, startedAt, layers: LAYERS, downloaded: 10 * MB })]),
  ];
  // One hook: the agents stop before the server does (hooks run in the order they were added).
  t.after(async () => {
    await Promise.all(feeds.map((f) => f.stop()));
    await server.stop();
  });

  const term = startTmux(watchCommand('--server', server.url), { width: 160, height: 30, cwd: REPO });
  t.after(() => term.kill());

  const first = await term.waitForScreen(
    'worker-1 with percent and speed under its image',
    (s) => s.includes(APP) && ROW('worker-1').test(s),
  );
  const before = Number(ROW('worker-1').exec(first)?.[1]);
  await term.waitForScreen(`worker-1 to pass ${before}%`, (s) => Number(ROW('worker-1').exec(s)?.[1]) > before);
  assert.match(first, /2 nodes: 0 done · 2 pulling · 0 stalled · 0 failed/, 'the rollout line of the image');

  failW2 = true;
  const failed = await term.waitForScreen('worker-2 failed, with its error', (s) =>
    /worker-2\s+[█░]+\s+30\.0%\s+failed\s+failed to copy: httpReadSeeker/.test(s),
  );
  assert.match(failed, /1 pulling · 0 stalled · 1 failed/);

  // Colour on a terminal: the failed status is red (SGR 31).
  assert.ok(term.capture(true).includes(`${ESC}[31m`), 'red SGR sequence on screen');

  term.sendKeys('/');
  term.sendKeys('-l', 'db:5');
  term.sendKeys('Enter');
  const filtered = await term.waitForScreen(
    'only the db image after typing a filter',
    (s) => s.includes('filter: "db:5"') && s.includes(DB) && !s.includes(APP),
  );
  assert.match(filtered, /1 of 3 pulls/);
  term.sendKeys('Escape');
  await term.waitForScreen('both images after Esc', (s) => s.includes(DB) && s.includes(APP));

  // Select the first row and open its layers: digests and layer states appear under it.
  term.sendKeys('j');
  term.sendKeys('Enter');
  const expanded = await term.waitForScreen('a pull expanded into layers', (s) =>
    /^\s+[0-9a-f]{12} [█░]+\s+\d+\.\d%.*(done|downloading|waiting)$/m.test(s),
  );
  assert.match(expanded, /^› /m, 'the selected row is marked');

  term.sendKeys('q');
  assert.equal(await term.waitForExit(), 0);
});

test('--until-done in a terminal exits 0 once every matched pull completed; NO_COLOR means no colour', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  const startedAt = new Date().toISOString();
  let got = 0;
  // The pull moves once it is on screen: --until-done ignores a pull that finished before it connected.
  let open = false;
  const feed = reportEvery(server.url, 'worker-9', () => {
    if (open) got = Math.min(got + 10 * MB, 100 * MB);
    return [
      syntheticPull({ imageRef: DB, startedAt, layers: LAYERS, downloaded: got, ...(got === 100 * MB ? { status: 'completed' } : {}) }),
    ];
  });
  t.after(async () => {
    await feed.stop();
    await server.stop();
  });
  const term = startTmux(watchCommand('--server', server.url, '--image', 'db:5', '--until-done'), {
    width: 150,
    height: 20,
    cwd: REPO,
    env: { NO_COLOR: '1' },
  });
  t.after(() => term.kill());
  await term.waitForScreen('the db pull on screen', (s) => s.includes('worker-9'));
  open = true;
  assert.doesNotMatch(term.capture(true), new RegExp(`${ESC}\\[(3\\d|9\\d|1|7)m`), 'no colour or attribute sequences under NO_COLOR');
  assert.equal(await term.waitForExit(60_000), 0);
  const screen = term.capture();
  assert.match(screen, /== registry\.example\.com\/shop\/db:5 {2}1 node: 1 done · 0 pulling · 0 stalled · 0 failed/);
  assert.match(screen, /all 1 matched pulls completed/);
});

test('the live screen says when the connection drops and when it is back (Last-Event-ID)', async (t) => {
  const port = await freePort();
  let server = await startServer({ httpPort: port, extraArgs: ['--node-report-rate', '100'] });
  const startedAt = new Date().toISOString();
  const feedOn = (url: string) =>
    reportEvery(url, 'worker-r', () => [syntheticPull({ imageRef: DB, startedAt, layers: LAYERS, downloaded: 20 * MB })]);
  let feed = feedOn(server.url);
  const term = startTmux(watchCommand('--server', server.url), { width: 160, height: 20, cwd: REPO });
  t.after(async () => {
    term.kill();
    await feed.stop().catch(() => {});
    await server.stop();
  });
  await term.waitForScreen('the pull, live', (s) => s.includes('worker-r') && / live /.test(s));
  await feed.stop();
  await server.stop();
  await term.waitForScreen('the drop on screen', (s) => /reconnecting \(attempt \d+\)/.test(s) && /connection lost \(/.test(s));
  server = await startServer({ httpPort: port, extraArgs: ['--node-report-rate', '100'] });
  feed = feedOn(server.url);
  const back = await term.waitForScreen('the reconnection on screen', (s) =>
    /reconnected to http:\/\/127\.0\.0\.1:\d+ \(Last-Event-ID \d+/.test(s),
  );
  assert.match(back, / live /);
});
