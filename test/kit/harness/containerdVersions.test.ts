// A containerd version the matrix needs but the cache lacks is an error naming the fetch script,
// never a skip; the versions present are found by path.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { CONTAINERD_SERIES, containerdBinaries } from './containerdVersions.js';

test('a missing version throws, naming the provisioning script and the cache folder', (t) => {
  const saved = process.env.PULLTRACE_CONTAINERD_CACHE;
  t.after(() => {
    if (saved === undefined) delete process.env.PULLTRACE_CONTAINERD_CACHE;
    else process.env.PULLTRACE_CONTAINERD_CACHE = saved;
  });
  process.env.PULLTRACE_CONTAINERD_CACHE = '/nonexistent/pulltrace-cache';
  assert.throws(
    () => containerdBinaries('2.x'),
    /containerd 2\.x is not in \/nonexistent\/pulltrace-cache\/2\.x\/usr\/bin \(run scripts\/provision\/containerd-versions\.sh/,
  );
});

test('every version of the matrix is provisioned here (containerd and ctr by path)', () => {
  for (const series of CONTAINERD_SERIES) {
    const bins = containerdBinaries(series);
    assert.ok(existsSync(bins.containerd) && existsSync(bins.ctr), `containerd ${series}`);
  }
});
