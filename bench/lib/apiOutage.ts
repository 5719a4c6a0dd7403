// bench:hostile phase `api-outage` (not in the default phases: it lasts as long as the outage):
// agents report every second to a server in kubernetes mode; the fake API server's TokenReview then
// answers 503 for `--outage` (default 3m) with `--node-timeout` (default 20s). Half the agents keep
// the token the server reviewed before; the other half's tokens rotate when the outage starts (the
// kubelet renews projected tokens), so the server has never seen them. Prints the agents' answers
// during the outage, pulls failed, and how long after TokenReview returned every agent was accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubeApi, startServer, type TestServer, writeKubeconfig } from '../../test/kit/index.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';

export interface OutageOptions {
  outageMs: number;
  nodeTimeout: string;
  agents: number;
  nodeArgs: string[];
  entry: 'source' | 'built';
}

function postFrom(agent: Agent, localAddress: string, port: number, body: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/report',
        method: 'POST',
        agent,
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function getText(url: string): Promise<string> {
  return fetch(url).then((r) => r.text());
}

const reportOf = (nodeName: string, downloaded: number) =>
  JSON.stringify({
    nodeName,
    pulls: [
      {
        imageRef: `registry.example.com/shop/${nodeName}:1`,
        manifestDigest: `sha256:${nodeName}`,
        status: 'pulling',
        totalKnown: true,
        startedAt: '2026-12-07T10:00:00.000Z',
        layers: [
          {
            digest: `sha256:l-${nodeName}`,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            totalBytes: 1 << 30,
            downloadedBytes: downloaded,
            totalKnown: true,
          },
        ],
      },
    ],
  });

const countOf = (xs: number[]) =>
  [...new Set(xs)]
    .sort()
    .map((s) => `${xs.filter((x) => x === s).length}× HTTP ${s}`)
    .join(', ');

export async function apiOutage(opts: OutageOptions): Promise<void> {
  console.log(
    `\n6. API-server outage: TokenReview answers 503 for ${opts.outageMs / 1000} s, PULLTRACE_NODE_TIMEOUT=${opts.nodeTimeout}, ${opts.agents} agents reporting every second (half of their tokens rotate at the outage's start)`,
  );
  const kube = await FakeKubeApi.start();
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-bench-outage-'));
  const kubeconfigBefore = process.env.KUBECONFIG;
  let server: TestServer | undefined;
  const nodes = Array.from({ length: opts.agents }, (_, i) => ({
    name: `node-${i}`,
    address: `127.0.1.${i + 1}`,
    http: new Agent({ keepAlive: true, maxSockets: 1 }),
    token: kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: `node-${i}` }),
    rotates: i % 2 === 1,
  }));
  try {
    process.env.KUBECONFIG = await writeKubeconfig(dir, kube.url);
    server = await startServer({
      extraArgs: [
        '--kubernetes',
        'auto',
        '--agent-auth',
        'kubernetes',
        '--agent-service-accounts',
        AGENT_SA,
        '--node-timeout',
        opts.nodeTimeout,
        '--log-level',
        'warn',
      ],
      nodeArgs: opts.nodeArgs,
      entry: opts.entry,
    });
    const port = server.httpPort;
    const metricsUrl = `http://127.0.0.1:${server.metricsPort}/metrics`;
    let downloaded = 1 << 20;
    const round = () => {
      downloaded += 1 << 16;
      return Promise.all(nodes.map((n) => postFrom(n.http, n.address, port, reportOf(n.name, downloaded), n.token)));
    };
    const before = await round();
    if (before.some((s) => s !== 200)) throw new Error(`before the outage: ${countOf(before)}`);

    kube.tokenReviewFailure = 503;
    for (const n of nodes) if (n.rotates) n.token = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: n.name });
    const kept: number[] = [];
    const rotated: number[] = [];
    let degradedSamples = 0;
    let samples = 0;
    const start = Date.now();
    while (Date.now() - start < opts.outageMs) {
      const answers = await round();
      for (const [i, s] of answers.entries()) (nodes[i]?.rotates ? rotated : kept).push(s);
      samples += 1;
      if (/^pulltrace_agent_auth_degraded 1$/m.test(await getText(metricsUrl))) degradedSamples += 1;
      await new Promise((r) => setTimeout(r, 1000));
    }
    kube.tokenReviewFailure = undefined;
    const back = Date.now();
    let allAccepted = false;
    while (!allAccepted && Date.now() - back < 60_000) {
      allAccepted = (await round()).every((s) => s === 200);
      if (!allAccepted) await new Promise((r) => setTimeout(r, 1000));
    }
    const recoveredMs = Date.now() - back;
    const pulls = ((await (await fetch(`http://127.0.0.1:${port}/api/v1/pulls`)).json()) as { pulls: Array<{ status: string }> }).pulls;
    const failed = pulls.filter((p) => p.status === 'failed').length;
    // by reason; absent until a pull fails
    const failedMetric = [...(await getText(metricsUrl)).matchAll(/^pulltrace_pull_errors_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    console.log(`   agents with a token reviewed before: ${countOf(kept)} (target: all 200)`);
    console.log(`   agents whose token rotated in the outage: ${countOf(rotated)} (503 expected)`);
    console.log(`   pulltrace_agent_auth_degraded was 1 in ${degradedSamples} of ${samples} samples`);
    console.log(
      `   pulls failed: ${failed} of ${pulls.length} (pulltrace_pull_errors_total ${failedMetric}; target 0); every agent accepted ${allAccepted ? `${(recoveredMs / 1000).toFixed(1)} s after TokenReview returned` : 'NOT within 60 s'}`,
    );
  } finally {
    for (const n of nodes) n.http.destroy();
    await server?.stop();
    await kube.close();
    if (kubeconfigBefore === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = kubeconfigBefore;
    rmSync(dir, { recursive: true, force: true });
  }
}
