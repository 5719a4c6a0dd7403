// docs/metrics.md promises Node's default process_* / nodejs_* metrics next to the pulltrace_* ones:
// a real server's /metrics must carry them, with values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../chart/helm.js';
import { metricValue, type PulltraceProcess, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

let server: PulltraceProcess;
before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
});
after(async () => server?.stop());

test('docs/metrics.md still promises the process_* / nodejs_* metrics', () => {
  assert.match(readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8'), /`process_\*` \/ `nodejs_\*`/);
});

test('/metrics carries the Node process metrics with real values', async () => {
  const text = await (await fetch(server.metricsUrl)).text();
  for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes']) {
    const v = metricValue(text, name);
    assert.ok(v !== undefined && v > 0, `${name} = ${v}`);
  }
  // Linux-only gauges read from /proc, and the event-loop figures.
  assert.ok((metricValue(text, 'process_resident_memory_bytes') ?? 0) > 1024 * 1024, 'resident memory above 1 MiB');
  assert.ok((metricValue(text, 'process_open_fds') ?? 0) > 0, 'open file descriptors');
  assert.match(text, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
  assert.match(text, /^nodejs_version_info\{version="v\d+\.\d+\.\d+"/m);
  // The product's own metrics are still there beside them.
  assert.match(text, /^# TYPE pulltrace_pulls_active gauge$/m);
  // The history queue is there on the default server (SQLite); the report log's metrics only with PULLTRACE_BUS.
  assert.equal(metricValue(text, 'pulltrace_history_queue_pulls'), 0);
  assert.equal(metricValue(text, 'pulltrace_history_queue_dropped_total'), 0);
  assert.doesNotMatch(text, /pulltrace_report_log_/);
});
