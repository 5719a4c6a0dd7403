// A reporter for Node's test runner that prints, per test file, how long the file took, slowest
// first: to find which files make `npm test` slow. Wall time is from the file's start (the runner
// dequeues the file itself) to its last event (so it includes loading, set-up and waiting on real
// components; under concurrency files overlap); "tests" is the sum of its top-level tests' own
// durations. Tests defined in a shared module (test/agent/versions/versionSuite.ts) count there.
// Usage (alongside the usual output):
//   node scripts/run-tests.mjs --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/test-durations.mjs --test-reporter-destination=durations.txt
import { relative } from 'node:path';

export default async function* durations(source) {
  const files = new Map();
  const started = Date.now();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const now = Date.now();
    let entry = files.get(file);
    if (!entry) {
      entry = { first: now, last: now, tests: 0, top: 0, failed: 0 };
      files.set(file, entry);
    }
    entry.last = now;
    // The file's own dequeue: its subprocess starts now (its enqueue was at the start of the run).
    if (event.type === 'test:dequeue' && event.data.name === file) entry.first = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      entry.top += event.data.details?.duration_ms ?? 0;
      entry.tests += 1;
      if (event.type === 'test:fail') entry.failed += 1;
    }
  }
  const rows = [...files.entries()].sort((a, b) => b[1].last - b[1].first - (a[1].last - a[1].first));
  yield `whole run: ${((Date.now() - started) / 1000).toFixed(1)} s, ${rows.length} files\n`;
  yield 'wall s  tests s  top-level  file\n';
  for (const [file, e] of rows) {
    const wall = ((e.last - e.first) / 1000).toFixed(1).padStart(6);
    const own = (e.top / 1000).toFixed(1).padStart(7);
    const count = `${e.tests}${e.failed ? ` (${e.failed} failed)` : ''}`.padStart(9);
    yield `${wall}  ${own}  ${count}  ${relative(process.cwd(), file)}\n`;
  }
}
