import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { type AgentReport, AgentReportSchema, REPORT_LIMITS, type ReportLayer, type ReportPull } from '../model/index.js';
import { fitReport, shorten } from './reportFit.js';

// The same JSON Schema validator family the server uses (Fastify compiles with ajv).
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(AgentReportSchema);
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const layer = (n: number, state: ReportLayer['state'] = 'waiting'): ReportLayer => ({
  digest: digest(n),
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  totalBytes: 1000,
  downloadedBytes: state === 'done' ? 1000 : 0,
  totalKnown: true,
  state,
});
const pull = (id: number, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull => ({
  imageRef: `registry.example.com/app${id}:1`,
  startedAt: new Date(1_800_000_000_000 + id).toISOString(),
  totalKnown: true,
  manifestDigest: digest(1_000_000 + id),
  status: 'pulling',
  layers,
  ...extra,
});
const report = (pulls: ReportPull[]): AgentReport => ({
  nodeName: 'node-1',
  timestamp: new Date(1_800_000_000_000).toISOString(),
  agent: { version: '1.0.0', runtime: 'containerd', runtimeVersion: '1.6.20' },
  pulls,
});

function assertValid(r: AgentReport, body: string): void {
  assert.ok(validate(r), ajv.errorsText(validate.errors));
  assert.ok(Buffer.byteLength(body) <= REPORT_LIMITS.bodyBytes, `body ${Buffer.byteLength(body)} bytes`);
  assert.deepEqual(JSON.parse(body), r);
}

test('the limits come from the report schema', () => {
  assert.equal(REPORT_LIMITS.layersPerPull, AgentReportSchema.properties.pulls.items.properties.layers.maxItems);
  assert.equal(REPORT_LIMITS.pulls, AgentReportSchema.properties.pulls.maxItems);
  assert.equal(REPORT_LIMITS.bodyBytes, 1024 * 1024);
});

test('a report within the limits is sent as it is', () => {
  const r = report([pull(1, [layer(1, 'done'), layer(2, 'downloading')])]);
  const f = fitReport(r);
  assert.deepEqual(f.report, r);
  assert.deepEqual(f.trims, []);
  assert.equal(f.pullsOmitted, 0);
  assert.equal(f.body, JSON.stringify(r));
});

test('an image with more layers than allowed keeps the moving layers, in manifest order, and is marked', () => {
  const n = REPORT_LIMITS.layersPerPull + 100;
  const layers = Array.from({ length: n }, (_, i) => layer(i, i < 500 ? 'done' : i < 503 ? 'downloading' : 'waiting'));
  const f = fitReport(report([pull(1, layers)]));
  assertValid(f.report, f.body);
  const p = f.report.pulls[0]!;
  assert.equal(p.layers.length, REPORT_LIMITS.layersPerPull);
  assert.equal(p.layersOmitted, 100);
  assert.deepEqual(
    p.layers.filter((l) => l.state === 'downloading').map((l) => l.digest),
    [digest(500), digest(501), digest(502)],
  );
  assert.equal(p.layers.filter((l) => l.state === 'waiting').length, n - 503, 'every layer still to come is listed');
  const order = p.layers.map((l) => Number.parseInt(l.digest.slice(7), 16));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'manifest order kept',
  );
  assert.deepEqual(f.trims, [{ pull: `${p.manifestDigest}@${p.startedAt}`, imageRef: p.imageRef, layersOmitted: 100, shortened: [] }]);
});

test('strings over their limits are shortened (code points, with an ellipsis) and named', () => {
  const long = 'x'.repeat(5000);
  const r = report([
    pull(1, [{ ...layer(1), mediaType: `application/${'é'.repeat(400)}` }], {
      imageRef: `registry.example.com/${long}`,
      error: `failed: ${long}`,
      status: 'failed',
    }),
  ]);
  r.agent = { version: long, runtime: long, runtimeVersion: long };
  const f = fitReport(r);
  assertValid(f.report, f.body);
  const p = f.report.pulls[0]!;
  assert.equal(Array.from(p.imageRef).length, REPORT_LIMITS.imageRefChars);
  assert.ok(p.imageRef.endsWith('…'));
  assert.equal(Array.from(p.layers[0]!.mediaType!).length, REPORT_LIMITS.mediaTypeChars);
  assert.deepEqual(f.trims[0]?.shortened, ['imageRef', 'error', 'mediaType']);
  assert.equal(p.layersOmitted, undefined);
});

test('a layer whose digest is over the limit is left out, not cut', () => {
  const bad: ReportLayer = { ...layer(1), digest: `sha256:${'a'.repeat(400)}` };
  const f = fitReport(report([pull(1, [bad, layer(2)])]));
  assertValid(f.report, f.body);
  assert.deepEqual(
    f.report.pulls[0]!.layers.map((l) => l.digest),
    [digest(2)],
  );
  assert.equal(f.report.pulls[0]!.layersOmitted, 1);
});

test('error text is redacted before it leaves the node', () => {
  const f = fitReport(
    report([pull(1, [layer(1)], { status: 'failed', error: 'Get "https://bucket.s3.amazonaws.com/x?X-Amz-Signature=abc": EOF' })]),
  );
  assert.equal(f.report.pulls[0]!.error, 'Get "https://bucket.s3.amazonaws.com/x?<redacted>": EOF');
});

test('too many pulls: the newest are kept', () => {
  const pulls = Array.from({ length: REPORT_LIMITS.pulls + 5 }, (_, i) => pull(i, [layer(i)]));
  const f = fitReport(report(pulls));
  assertValid(f.report, f.body);
  assert.equal(f.report.pulls.length, REPORT_LIMITS.pulls);
  assert.equal(f.pullsOmitted, 5);
  assert.equal(f.report.pulls[0]!.imageRef, pulls[5]!.imageRef);
});

test('more layers across pulls than a report may carry: fewer layers per pull, each pull marked', () => {
  // 3 pulls of 1,000 small layers: within the body limit, over the per-report layer limit.
  const pulls = Array.from({ length: 3 }, (_, p) =>
    pull(
      p,
      Array.from({ length: 1000 }, (_, i) => layer(p * 10_000 + i)),
    ),
  );
  const f = fitReport(report(pulls));
  assertValid(f.report, f.body);
  const total = f.report.pulls.reduce((n, p) => n + p.layers.length, 0);
  assert.ok(total <= REPORT_LIMITS.layersPerReport, `${total} layers sent`);
  assert.equal(f.report.pulls.length, 3, 'every pull still reported');
  for (const p of f.report.pulls) assert.equal((p.layersOmitted ?? 0) + p.layers.length, 1000);
  assert.equal(f.trims.length, 3);
});

test('a body over the size limit loses layers of the largest pulls first, then the oldest pulls', () => {
  // 8 pulls of 1,000 layers: about 1.4 MB as sent.
  const big = Array.from({ length: 8 }, (_, p) =>
    pull(
      p,
      Array.from({ length: 1000 }, (_, i) => layer(p * 10_000 + i)),
    ),
  );
  const f = fitReport(report(big));
  assertValid(f.report, f.body);
  assert.equal(f.report.pulls.length, 8, 'every pull still shown');
  for (const p of f.report.pulls) assert.equal(p.layersOmitted, 1000 - p.layers.length);
  assert.ok(f.report.pulls.every((p) => p.layers.length >= 16));

  const many = Array.from({ length: 1000 }, (_, p) =>
    pull(
      p,
      Array.from({ length: 16 }, (_, i) => layer(p * 100 + i)),
    ),
  );
  const g = fitReport(report(many));
  assertValid(g.report, g.body);
  assert.ok(g.pullsOmitted > 0);
  assert.equal(g.report.pulls.at(-1)!.imageRef, many.at(-1)!.imageRef, 'the newest pull is kept');
});

test('shorten counts code points', () => {
  assert.equal(shorten('abc', 3), 'abc');
  assert.equal(shorten('abcd', 3), 'ab…');
  assert.equal(shorten('😀😀😀', 3), '😀😀😀');
  assert.equal(shorten('😀😀😀😀', 3), '😀😀…');
});
