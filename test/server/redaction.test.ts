// Secrets in error text never get past the point where the text enters the server: a pre-signed
// blob URL in an agent's report or in a kubelet event shows redacted in the API, the SSE stream,
// the history (API and the SQLite file itself) and the log lines. A real server process, a fake
// Kubernetes API speaking the real protocol, real SQLite.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  FakeKubeApi,
  getJson,
  kubeletEvent,
  kubeletMessages,
  layer,
  MiB,
  type PulltraceProcess,
  podObject,
  postReport,
  pullEntry,
  SseRecorder,
  startPulltrace,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
// The secret parts: each must appear nowhere the server writes or serves.
const S3_SIGNATURE = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const S3_TOKEN = 'IQoJb3JpZ2luX2VjEHQaCXVzLWVhc3QtMSJHMEUCIQsecret';
const AZURE_SIG = 'Qk9HVVMtU0lHTkFUVVJFabc';
const SECRETS = [S3_SIGNATURE, S3_TOKEN, AZURE_SIG];

const s3Url = `https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a1b2/sha256:${HEX}?X-Amz-Security-Token=${S3_TOKEN}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAXYZ%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${S3_SIGNATURE}`;
const agentError = `failed to copy: httpReadSeeker: failed open: failed to do request: Get "${s3Url}": dial tcp 52.216.8.8:443: i/o timeout`;
const agentErrorRedacted = `failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a1b2/sha256:${HEX}?<redacted>": dial tcp 52.216.8.8:443: i/o timeout`;

const NODE = 'worker-9';
const IMAGE = 'myregistry.azurecr.io/shop/api:2.0';
const azureUrl = `https://myregistry.blob.core.windows.net/abc/docker/registry/v2/blobs/sha256/a3/${HEX}/data?se=2026-11-28T10%3A30%3A00Z&sig=${AZURE_SIG}&sp=r&spr=https&sr=b&sv=2018-03-28`;
const kubeletError = kubeletMessages.failed(
  IMAGE,
  `failed to pull and unpack image "${IMAGE}": failed to copy: httpReadSeeker: failed open: failed to do request: Get "${azureUrl}": net/http: TLS handshake timeout`,
);

let kube: FakeKubeApi;
let server: PulltraceProcess;
let sse: SseRecorder;
let dir: string;
let db: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-redact-'));
  db = join(dir, 'history.db');
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  server = await startPulltrace(
    ['server', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', db, '--kubernetes', 'auto', '--log-level', 'debug'],
    { env: { KUBECONFIG: kubeconfig } },
  );
  await kube.waitForWatches(2);
  sse = await sseConnect();
});
after(async () => {
  sse?.close();
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

function sseConnect(): Promise<SseRecorder> {
  return SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
}

/** Everything the server wrote or served that could carry the text. */
function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds a secret (${secret.slice(0, 12)}…)`);
}

function databaseBytes(): string {
  return [db, `${db}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

test("a pre-signed URL in an agent's error is redacted in the API, SSE, history and logs", async () => {
  const pulling = pullEntry('127.0.0.1/shop/web', 'sha256:m-redact', [layer('sha256:r1', 4 * MiB, MiB, 'downloading')]);
  assert.equal((await postReport(server.baseUrl, { nodeName: 'node-r', pulls: [pulling] })).status, 200);
  const failedReport = { nodeName: 'node-r', pulls: [{ ...pulling, status: 'failed' as const, error: agentError }] };
  assert.equal((await postReport(server.baseUrl, failedReport)).status, 200);

  const event = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.pull?.manifestDigest === 'sha256:m-redact', 'pull.failed');
  assert.equal(event.pull?.error, agentErrorRedacted);
  const one = await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${event.pull!.id}`);
  assert.equal(one.body.error, agentErrorRedacted);
  const history = await waitFor(
    async () => (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?node=node-r`)).body.pulls[0],
    { timeoutMs: 10_000, what: 'the failed pull in history' },
  );
  assert.equal(history.error, agentErrorRedacted);
  const line = await waitFor(
    () => server.logs().find((l) => l.type === 'pull.failed' && (l.pull as PullStatus | undefined)?.manifestDigest === 'sha256:m-redact'),
    { timeoutMs: 5_000, what: 'the pull.failed log line' },
  );
  assert.equal((line.pull as PullStatus).error, agentErrorRedacted);

  assertNoSecret('the SSE stream', sse.messages.map((m) => m.data).join('\n'));
  assertNoSecret('GET /api/v1/pulls', JSON.stringify((await getJson(`${server.baseUrl}/api/v1/pulls`)).body));
  assertNoSecret('GET /api/v1/history', JSON.stringify((await getJson(`${server.baseUrl}/api/v1/history`)).body));
  assertNoSecret('the history database', databaseBytes());
  assertNoSecret('the log lines', JSON.stringify(server.logs()));
});

test('a pre-signed URL in a kubelet event is redacted in the API, SSE, history and logs', async () => {
  const pod = kube.apply(
    podObject({
      name: 'api-5c7d',
      namespace: 'shop',
      nodeName: NODE,
      containers: [{ name: 'api', image: IMAGE, state: { waiting: { reason: 'ErrImagePull', message: kubeletError } } }],
    }),
  );
  kube.apply(kubeletEvent({ pod, container: 'api', node: NODE, reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }));
  kube.apply(kubeletEvent({ pod, container: 'api', node: NODE, reason: 'Failed', message: kubeletError }));

  const event = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === NODE, 'pull.failed from kubelet', 20_000);
  const error = event.pull?.error ?? '';
  assert.match(error, /^Failed to pull image "myregistry\.azurecr\.io\/shop\/api:2\.0": /);
  assert.ok(error.includes(`/docker/registry/v2/blobs/sha256/a3/${HEX}/data?<redacted>": net/http: TLS handshake timeout`), error);
  assert.equal((await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${event.pull!.id}`)).body.error, error);
  const history = await waitFor(
    async () => (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?node=${NODE}`)).body.pulls[0],
    { timeoutMs: 10_000, what: 'the kubelet-failed pull in history' },
  );
  assert.equal(history.error, error);

  assertNoSecret('the SSE stream', sse.messages.map((m) => m.data).join('\n'));
  assertNoSecret('GET /api/v1/pulls', JSON.stringify((await getJson(`${server.baseUrl}/api/v1/pulls`)).body));
  assertNoSecret('GET /api/v1/history', JSON.stringify((await getJson(`${server.baseUrl}/api/v1/history`)).body));
  assertNoSecret('the history database', databaseBytes());
  assertNoSecret('the log lines (debug level)', JSON.stringify(server.logs()));
});
