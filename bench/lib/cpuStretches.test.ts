import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CpuProfile, cpuStretches } from './cpuStretches.js';

const frame = (functionName: string, url = 'file:///app/src/x.ts') => ({ functionName, url, lineNumber: 0 });

// root → tick → rate; root → (idle); root → (garbage collector); root → processImmediate → slice
const profile = (samples: number[], timeDeltas: number[]): CpuProfile => ({
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5, 6] },
    { id: 2, callFrame: frame('tick', 'file:///app/src/tracker/pullTracker.ts'), children: [3] },
    { id: 3, callFrame: frame('rate', 'file:///app/src/tracker/rateWindow.ts') },
    { id: 4, callFrame: frame('(idle)', '') },
    { id: 5, callFrame: frame('(garbage collector)', '') },
    { id: 6, callFrame: frame('processImmediate', 'node:internal/timers'), children: [7] },
    { id: 7, callFrame: frame('slice', 'file:///app/src/http/pullsJson.ts') },
  ],
  startTime: 1_000_000,
  endTime: 2_000_000,
  samples,
  timeDeltas,
});

test('a stretch is the samples between idle ones; its CPU time counts samples, not the gaps the OS took', () => {
  // idle, then 4 samples of tick/rate/GC 1 ms apart except one 300 ms gap (the thread descheduled), idle, 1 tick
  const p = profile([4, 2, 3, 5, 3, 4, 2], [1000, 1000, 1000, 300_000, 1000, 1000, 1000]);
  const [longest, other] = cpuStretches(p);
  assert.equal(longest?.cpuMs, 4);
  assert.equal(longest?.wallMs, 302);
  assert.equal(longest?.startUs, 1_002_000);
  assert.deepEqual(longest?.top[0], { frame: 'tick tracker/pullTracker.ts:1', ms: 3 });
  assert.ok(longest?.top.some((t) => t.frame.startsWith('(garbage collector)')));
  assert.ok(!longest?.top.some((t) => t.frame.startsWith('(root)')), 'plumbing frames are left out');
  assert.equal(other?.cpuMs, 1);
});

test('only samples inside the window count', () => {
  const p = profile([2, 2, 2, 2], [1000, 1000, 1000, 1000]);
  assert.equal(cpuStretches(p)[0]?.cpuMs, 4);
  assert.equal(cpuStretches(p, 1_002_000, 1_003_000)[0]?.cpuMs, 2);
  assert.deepEqual(cpuStretches(p, 3_000_000), []);
});

test('a busy loop that never goes idle is cut where the bottom frame changes; garbage collection stays with its task', () => {
  // tick, tick, GC, slice, slice, tick: two tasks of 3 and 2 samples and one of 1, no idle between
  const p = profile([2, 3, 5, 7, 7, 2], [1000, 1000, 1000, 1000, 1000, 1000]);
  assert.deepEqual(
    cpuStretches(p).map((s) => s.cpuMs),
    [3, 2, 1],
  );
  assert.equal(cpuStretches(p)[1]?.top[0]?.frame, 'slice http/pullsJson.ts:1');
});
