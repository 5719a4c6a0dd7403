// What `pulltrace agent` sends: every report validates against the AgentReport schema (contract §3),
// carries the bearer token and agent/runtime info, and a finished pull's final status is sent until
// the server acknowledged it once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { AgentReport } from '../../src/model/index.js';
import { VERSION } from '../../src/version.js';
import {
  buildAndPushImage,
  imageRef,
  MiB,
  ProcessGroup,
  parseLogLines,
  publishedValidator,
  pulltraceArgs,
  RATE,
  startContainerd,
  startRegistry,
  startThrottleProxy,
  waitFor,
} from '../kit/index.js';

interface Received {
  auth?: string;
  body: AgentReport;
  errors: string;
}

test('agent reports: snapshots valid against the published schema with token and runtime info; a final status is sent until acknowledged', async (t) => {
  const group = new ProcessGroup();
  t.after(() => group.close());
  // The published schema (docs/schemas/agent-report-v1.json), as a user's tooling would check it.
  const validate = publishedValidator('agent-report-v1.json');
  const received: Received[] = [];
  const recorder = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text) as AgentReport;
    const valid = validate(body);
    received.push({ auth: req.headers.authorization, body, errors: valid ? '' : validate.describe() });
    res.setHeader('content-type', 'application/json');
    res.end('{"accepted":true}');
  });
  recorder.listen(0, '127.0.0.1');
  await once(recorder, 'listening');
  t.after(() => recorder.close());

  const registry = group.track(await startRegistry(), 'registry');
  const containerd = group.track(await startContainerd(), 'containerd');
  const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: RATE }), 'proxy');
  const serverUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  const agent = group.start(
    process.execPath,
    [...pulltraceArgs(), 'agent', '--server-url', serverUrl, '--containerd-socket', containerd.socket, '--node-name', 'node-a.example'],
    { name: 'pulltrace agent', env: { ...process.env, PULLTRACE_AGENT_TOKEN: 's3cret', PULLTRACE_REPORT_INTERVAL: '500ms' } },
  );
  await waitFor(() => parseLogLines(agent.stdout()).some((l) => l.msg === 'agent reporting'), {
    timeoutMs: 30_000,
    what: 'the agent to start',
  });

  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/report',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
  });
  assert.equal((await containerd.startPull(imageRef(proxy.host, image)).done).code, 0);
  const finalIndex = () =>
    received.findIndex((r) => r.body.pulls.some((p) => p.manifestDigest === image.manifestDigest && p.status === 'completed'));
  await waitFor(() => finalIndex() >= 0 && received.length > finalIndex() + 2, {
    timeoutMs: 20_000,
    what: 'the completed status and two reports after it',
  });

  for (const r of received) {
    assert.equal(r.errors, '', `report does not validate: ${r.errors}`);
    assert.equal(r.auth, 'Bearer s3cret');
    assert.equal(r.body.nodeName, 'node-a.example');
    assert.deepEqual(
      { ...r.body.agent, runtimeVersion: typeof r.body.agent?.runtimeVersion },
      { version: VERSION, runtime: 'containerd', runtimeVersion: 'string' },
    );
  }
  const mine = received.flatMap((r) => r.body.pulls.filter((p) => p.manifestDigest === image.manifestDigest));
  assert.ok(mine.length >= 2, 'the pull was reported while in progress');
  const first = mine[0]!;
  assert.equal(first.status, 'pulling');
  assert.equal(first.totalKnown, true);
  assert.equal(
    first.imageRef,
    '127.0.0.1/e2e/report',
    'registry/repository from the distribution-source label (port dropped) until the image record exists',
  );
  assert.deepEqual(
    first.layers.map((l) => [l.digest, l.totalBytes]),
    [[image.configDigest, image.configSize], ...image.layers.map((l) => [l.digest, l.size])],
  );
  const last = mine.at(-1)!;
  assert.equal(last.status, 'completed');
  assert.equal(last.imageRef, imageRef(proxy.host, image));
  assert.deepEqual(
    last.layers.map((l) => [l.state, l.downloadedBytes === l.totalBytes]),
    [
      ['done', true],
      ['done', true],
      ['done', true],
    ],
  );
  assert.equal(mine.filter((p) => p.status === 'completed').length, 1, 'acknowledged once, then no longer sent');
  assert.deepEqual(received.at(-1)?.body.pulls, [], 'reports go on (empty) after the pull is gone');
});
