// bench:hostile phase `token-reviews`: junk bearer tokens from one address against a server in
// kubernetes mode, the fake API server counting the TokenReviews it is asked for, while two agents
// on other loopback addresses (one whose token is known, one whose token is new) keep reporting and
// a worker thread polls /healthz. Prints reviews made, the junk answers, worst /healthz latency and
// the agents' answers during the flood.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubeApi, startServer, type TestServer, writeKubeconfig } from '../../test/kit/index.js';
import { processCpuSeconds } from './procStats.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';
const FLOOD_SOCKETS = 50;
const IDLE_PROBE_MS = 5_000;

export interface FloodOptions {
  junk: number;
  nodeArgs: string[];
  entry: 'source' | 'built';
  /** polls /healthz until stopped (bench/hostile.ts's worker) */
  healthProbe: (port: number) => { stop(): Promise<{ worstMs: number; count: number; failures: number }> };
}

function postFrom(agent: Agent, localAddress: string, port: number, body: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
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
    req.on('error', reject);
    req.end(body);
  });
}

const reportOf = (nodeName: string) =>
  JSON.stringify({
    nodeName,
    pulls: [
      {
        imageRef: `registry.example.com/shop/${nodeName}:1`,
        manifestDigest: `sha256:${nodeName}`,
        status: 'pulling',
        totalKnown: true,
        layers: [
          {
            digest: `sha256:l-${nodeName}`,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            totalBytes: 4 << 20,
            downloadedBytes: 1 << 20,
            totalKnown: true,
          },
        ],
      },
    ],
  });

// shaped like a projected token (a JWT with an expiry), signed by no one
const junkToken = () =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600, jti: randomBytes(8).toString('hex') })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

const countOf = (xs: number[]) =>
  [...new Set(xs)]
    .sort()
    .map((s) => `${xs.filter((x) => x === s).length}× HTTP ${s}`)
    .join(', ');

export async function tokenReviewFlood(opts: FloodOptions): Promise<void> {
  console.log(`\n5. TokenReview flood: ${opts.junk} junk bearer tokens from 127.0.0.1 (${FLOOD_SOCKETS} sockets), agents on 127.0.0.2/.3`);
  const kube = await FakeKubeApi.start();
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-bench-reviews-'));
  const kubeconfigBefore = process.env.KUBECONFIG;
  let server: TestServer | undefined;
  const agents = [
    new Agent({ keepAlive: true, maxSockets: FLOOD_SOCKETS }),
    new Agent({ keepAlive: true }),
    new Agent({ keepAlive: true }),
  ];
  try {
    // the server process inherits this process's environment: its KUBECONFIG names the fake API server
    process.env.KUBECONFIG = await writeKubeconfig(dir, kube.url);
    server = await startServer({
      extraArgs: ['--kubernetes', 'auto', '--agent-auth', 'kubernetes', '--agent-service-accounts', AGENT_SA, '--log-level', 'warn'],
      nodeArgs: opts.nodeArgs,
      entry: opts.entry,
    });
    const port = server.httpPort;
    const [flooder, knownAgent, newAgent] = agents as [Agent, Agent, Agent];
    const known = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-known' });
    const fresh = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-new' });
    const first = await postFrom(knownAgent, '127.0.0.2', port, reportOf('node-known'), known);
    if (first !== 200) throw new Error(`the known agent's first report: HTTP ${first}`);

    // what /healthz costs on this machine without a flood, to read the figure during it against
    const idleProbe = opts.healthProbe(port);
    await new Promise((r) => setTimeout(r, IDLE_PROBE_MS));
    const idle = await idleProbe.stop();

    const reviewsBefore = kube.tokens.reviews;
    const probe = opts.healthProbe(port);
    const junkBody = reportOf('node-known');
    const junkStatuses: number[] = [];
    const agentStatuses: number[] = [];
    let sent = 0;
    let flooding = true;
    const cpuBefore = processCpuSeconds(server.pid);
    const start = performance.now();
    const flood = Array.from({ length: FLOOD_SOCKETS }, async () => {
      while (sent < opts.junk) {
        sent += 1;
        junkStatuses.push(await postFrom(flooder, '127.0.0.1', port, junkBody, junkToken()).catch(() => 0));
      }
    });
    // the agents report as fast as their own report rate allows (every 250 ms) while the flood lasts
    const reporting = (async () => {
      while (flooding) {
        agentStatuses.push(await postFrom(knownAgent, '127.0.0.2', port, reportOf('node-known'), known).catch(() => 0));
        agentStatuses.push(await postFrom(newAgent, '127.0.0.3', port, reportOf('node-new'), fresh).catch(() => 0));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await Promise.all(flood);
    const floodMs = performance.now() - start;
    const cpuMsPerRequest = ((processCpuSeconds(server.pid) - cpuBefore) * 1000) / opts.junk;
    flooding = false;
    await reporting;
    const health = await probe.stop();
    const reviews = kube.tokens.reviews - reviewsBefore;
    console.log(
      `   flood of ${opts.junk} requests took ${floodMs.toFixed(0)} ms, server CPU ${cpuMsPerRequest.toFixed(2)} ms/request: ${countOf(junkStatuses)}`,
    );
    console.log(`   TokenReviews made: ${reviews} (target ≤ 100; includes the new agent's one)`);
    console.log(
      `   /healthz worst: ${health.worstMs.toFixed(1)} ms over ${health.count} probes, ${health.failures} failed (without the flood: ${idle.worstMs.toFixed(1)} ms over ${idle.count} probes in ${IDLE_PROBE_MS / 1000} s)`,
    );
    console.log(`   agent answers during the flood: ${countOf(agentStatuses)} (target: all 200)`);
  } finally {
    for (const a of agents) a.destroy();
    await server?.stop();
    await kube.close();
    if (kubeconfigBefore === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = kubeconfigBefore;
    rmSync(dir, { recursive: true, force: true });
  }
}
