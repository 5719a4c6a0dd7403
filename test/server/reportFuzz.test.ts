// Property-based fuzzing of POST /api/v1/report (fast-check) against a real listening server:
// valid-but-extreme and invalid reports, odd unicode, duplicate digests, many pulls of one image,
// random JSON. Whatever is sent: never a 5xx, every error is JSON, every number the API, the event
// stream and the metrics give is finite, every event is valid against the published schema, and
// another node's pull is untouched.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { PullStatus } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  type PulltraceProcess,
  publishedValidator,
  pullEntry,
  SseRecorder,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
let server: PulltraceProcess;
let sse: SseRecorder;
const BYSTANDER = 'bystander-node';

before(async () => {
  server = await startPulltrace([
    'server',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--node-report-rate',
    '100000',
    '--max-nodes-per-address',
    '100',
  ]);
  sse = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
});
after(async () => {
  sse?.close();
  await server?.stop();
});

// ---- generators ----

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '\u0000', '\u202e\u202d', '😀'.repeat(30), '<script>alert(1)</script>', 'a'.repeat(1024), '\ud800', 'sha256:'),
);
const bytes = fc.oneof(fc.nat(10 * MiB), fc.constantFrom(0, 1, MAX, MAX - 1, 2 ** 52, 2 ** 31, 2 ** 32), fc.integer({ min: 0, max: MAX }));
const digest = fc.oneof(
  fc.constantFrom('sha256:a', 'sha256:b', 'sha256:c', 'layer-sha256:abcdef', 'config-sha256:abcdef'),
  oddText.filter((s) => s.length > 0 && s.length <= 256),
);
const time = fc.oneof(
  fc.constant(undefined),
  fc.constant(new Date().toISOString()),
  fc.constantFrom('0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'yesterday', '2026-02-30T00:00:00Z'),
  fc.date({ min: new Date('1999-01-01'), max: new Date(Date.now() + 3600_000), noInvalidDate: true }).map((d) => d.toISOString()),
);
const reportLayer = fc.record(
  {
    digest,
    mediaType: fc.oneof(
      fc.constantFrom('application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.config.v1+json'),
      oddText,
    ),
    totalBytes: bytes,
    downloadedBytes: bytes,
    totalKnown: fc.boolean(),
    state: fc.constantFrom('waiting', 'downloading', 'done', 'cached'),
  },
  { requiredKeys: ['digest', 'totalBytes', 'downloadedBytes'] },
);
const reportPull = fc.record(
  {
    // A few shared images, so entries merge (many pulls of one image, duplicate digests).
    imageRef: fc.oneof(fc.constantFrom('127.0.0.1/app:1', 'docker.io/library/nginx:1.27', 'layer-sha256:abcdef', ''), oddText),
    manifestDigest: fc.oneof(fc.constantFrom('sha256:m1', 'sha256:m2'), oddText),
    startedAt: time,
    totalKnown: fc.boolean(),
    status: fc.constantFrom('pulling', 'completed', 'failed'),
    error: oddText,
    layers: fc.array(reportLayer, { maxLength: 30 }),
  },
  { requiredKeys: ['imageRef', 'layers'] },
);
const nodeName = fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3.example', 'x'.repeat(253));
const validReport = fc.record({ nodeName, pulls: fc.array(reportPull, { maxLength: 8 }) }).map((r) => JSON.parse(JSON.stringify(r)));

/** A valid report with one value replaced by something the schema must refuse. */
const invalidReport = fc
  .tuple(
    validReport.filter((r) => r.pulls.some((p: { layers: unknown[] }) => p.layers.length > 0)),
    fc.constantFrom('totalBytes', 'downloadedBytes'),
    fc.constantFrom<unknown>(1e21, 2 ** 53 + 2, 2 ** 64, 1e300, -1, 1.5, '10', null, true, [], {}),
  )
  .map(([r, field, value]) => {
    r.pulls.find((p: { layers: unknown[] }) => p.layers.length > 0).layers[0][field] = value;
    return r;
  });
const oddShape = fc.oneof(
  fc.record({ nodeName: oddText, pulls: fc.constant([]) }),
  fc.record({ nodeName, pulls: fc.constant([]), surprise: fc.jsonValue() }),
  fc.jsonValue().map((v) => ({ nodeName: 'fuzz-1', pulls: v })),
);
const anyBody = fc.oneof(
  { weight: 5, arbitrary: validReport.map((r) => JSON.stringify(r)) },
  { weight: 3, arbitrary: invalidReport.map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: oddShape.map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

// ---- checks ----

/** Every number anywhere in a parsed JSON value is finite (JSON turns NaN/Infinity into null). */
function assertNumbersFinite(value: unknown, where: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where}: ${value}`);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) assertNumbersFinite(v, `${where}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertNumbersFinite(v, `${where}.${k}`);
}

const validateEvent = publishedValidator('pull-event-v1.json');

function assertValidPull(p: PullStatus, where: string): void {
  const event = { schemaVersion: 'v1', timestamp: new Date().toISOString(), type: 'pull.progress', nodeName: p.nodeName, pull: p };
  assert.ok(validateEvent(event), `${where}: ${validateEvent.describe()}`);
  for (const key of ['totalBytes', 'downloadedBytes', 'cachedBytes'] as const) assert.ok(Number.isSafeInteger(p[key]), `${where}.${key}`);
}

async function bystanderPull(): Promise<PullStatus> {
  const pulls = (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?node=${BYSTANDER}`)).body.pulls;
  assert.equal(pulls.length, 1);
  return pulls[0] as PullStatus;
}

test('no report, however odd, causes a 5xx, a non-finite number, an invalid event or a change to another node', async () => {
  const bystander = {
    nodeName: BYSTANDER,
    pulls: [pullEntry('127.0.0.1/steady:1', 'sha256:steady', [layer('sha256:s1', 8 * MiB, 3 * MiB)])],
  };
  const res0 = await fetch(`${server.baseUrl}/api/v1/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bystander),
  });
  assert.equal(res0.status, 200);
  const before = await bystanderPull();
  const statuses = new Map<number, number>();

  await fc.assert(
    fc.asyncProperty(anyBody, async (body) => {
      const res = await fetch(`${server.baseUrl}/api/v1/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `HTTP ${res.status} for ${body.slice(0, 300)}: ${text}`);
      const answer = JSON.parse(text) as { accepted?: boolean; error?: string; message?: string };
      if (res.status === 200) assert.equal(answer.accepted, true);
      else {
        assert.equal(typeof answer.error, 'string', text);
        assert.equal(typeof answer.message, 'string', text);
      }
    }),
    { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? 20261128) },
  );
  assert.ok((statuses.get(200) ?? 0) > 20, `enough reports were accepted to exercise ingest: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(400) ?? 0) > 20, `enough were refused: ${JSON.stringify([...statuses])}`);

  // The API: every pull valid against the schema, every number finite.
  const live = (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls;
  assertNumbersFinite(live, 'GET /api/v1/pulls');
  for (const p of live) {
    assertValidPull(p, `pull ${p.id}`);
    const one = await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${p.id}`);
    assertNumbersFinite(one.body, `GET /api/v1/pulls/${p.id}`);
  }

  // The event stream: everything published so far arrived, valid and finite.
  await waitFor(async () => sse.events.some((e) => e.nodeName.startsWith('fuzz') || e.nodeName.startsWith('xxx')), {
    timeoutMs: 10_000,
    what: 'fuzzed events on the stream',
  });
  for (const [i, e] of sse.events.entries()) {
    assert.ok(validateEvent(e), `event ${i} (${e.type}): ${validateEvent.describe()}`);
    assertNumbersFinite(e, `event ${i}`);
  }

  // The metrics: every sample value is a finite number.
  const metrics = await (await fetch(server.metricsUrl)).text();
  for (const line of metrics.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const value = line.slice(line.lastIndexOf(' ') + 1);
    assert.ok(Number.isFinite(Number(value)), `metric sample not finite: ${line}`);
  }

  const afterwards = await bystanderPull();
  for (const key of ['id', 'status', 'downloadedBytes', 'totalBytes', 'percent', 'imageRef', 'layerCount'] as const) {
    assert.equal(afterwards[key], before[key], `the other node's pull kept its ${key}`);
  }
});
