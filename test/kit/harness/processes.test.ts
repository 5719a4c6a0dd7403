import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { liveProcesses, ProcessGroup, runProcess, startProcess } from './processes.js';
import { waitFor } from './waitFor.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('ProcessGroup.close() ends its processes by PID and runs cleanups last-first', async () => {
  const group = new ProcessGroup();
  const order: string[] = [];
  group.defer('first', () => order.push('first'));
  const sleeper = group.start('sleep', ['60'], { name: 'sleep' });
  group.defer('last', () => order.push('last'));
  assert.ok(alive(sleeper.pid));
  assert.ok(liveProcesses().some((p) => p.pid === sleeper.pid));
  await group.close();
  assert.equal(sleeper.running, false);
  assert.equal(alive(sleeper.pid), false);
  assert.deepEqual(order, ['last', 'first']);
  assert.ok(!liveProcesses().some((p) => p.pid === sleeper.pid));
});

test('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
  const proc = startProcess('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { name: 'stubborn' });
  await waitFor(() => proc.stdout().includes('ready'), { timeoutMs: 5000, what: 'the shell to install its trap', intervalMs: 5 });
  const result = await proc.stop(200);
  assert.equal(result.signal, 'SIGKILL');
});

test('runProcess collects output and exit code, and kills at the timeout', async () => {
  const ok = await runProcess('sh', ['-c', 'echo out; echo err >&2; exit 3'], { name: 'sh' });
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [3, 'out\n', 'err\n']);
  const slow = await runProcess('sleep', ['60'], { name: 'sleep', timeoutMs: 50 });
  assert.equal(slow.signal, 'SIGKILL');
  assert.match(slow.stderr, /killed after 50 ms/);
});

test('a missing binary is a clear error', () => {
  assert.throws(() => startProcess('/nonexistent/pulltrace-binary', [], { name: 'ghost' }), /ghost: cannot run/);
});

// A zombie waiting for init to reap it counts as ended: it runs nothing any more.
const runningPid = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

for (const death of ['throw', 'SIGTERM'] as const) {
  test(`when the node process dies (${death}), its harness processes are killed and temp dirs removed`, async () => {
    const fixture = new URL('./fixtures/dieWithChild.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, death], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const info = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as { pid: number; dir: string }) : undefined), {
      timeoutMs: 15_000,
      what: 'the fixture to report its child PID',
    });
    assert.ok(runningPid(info.pid), 'fixture child runs');
    if (death === 'SIGTERM') child.kill('SIGTERM');
    else child.stdin.write('die\n');
    await new Promise((resolve) => child.once('close', resolve));
    await waitFor(() => !runningPid(info.pid), { timeoutMs: 5000, what: `PID ${info.pid} to end with its parent` });
    assert.equal(existsSync(info.dir), false, `${info.dir} removed`);
  });
}
