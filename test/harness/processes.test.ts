import assert from 'node:assert/strict';
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
