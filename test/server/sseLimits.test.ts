// Event-stream limits on a real server process: streams per remote address are capped with a
// JSON 429, other clients are untouched, and a closed stream frees its slot.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '../harness/index.js';
import { metricValue, type PulltraceProcess, startPulltrace, TEST_SERVER_FLAGS } from '../support/pulltraceProcess.js';
import { SseRecorder } from '../support/sseClient.js';

let server: PulltraceProcess;
const open: SseRecorder[] = [];

before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--max-sse-per-address', '2']);
});
after(async () => {
  for (const s of open) s.close();
  await server?.stop();
});

async function connect(): Promise<SseRecorder> {
  const s = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?layers=0`);
  open.push(s);
  return s;
}

test('PULLTRACE_MAX_SSE_PER_ADDRESS: the third stream from one address gets 429 JSON; a closed one frees its slot', async () => {
  const first = await connect();
  const second = await connect();
  assert.deepEqual([first.status, second.status], [200, 200]);

  const refused = await fetch(`${server.baseUrl}/api/v1/events`);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '10');
  const body = (await refused.json()) as { error: string; message: string };
  assert.equal(body.error, 'too_many_streams');
  assert.match(body.message, /PULLTRACE_MAX_SSE_PER_ADDRESS/);

  const active = async () => metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_sse_clients_active');
  assert.equal(await active(), 2, 'the refused stream is not counted');

  first.close();
  await waitFor(async () => ((await active()) === 1 ? true : undefined), {
    timeoutMs: 10_000,
    what: 'the closed stream to leave the gauge',
  });
  const third = await connect();
  assert.equal(third.status, 200, 'a closed stream frees its slot');
});
