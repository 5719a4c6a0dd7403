import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSecondsFromStat, processCpuSeconds, processMemory, statusKiB } from './procStats.js';

test('cpuSecondsFromStat reads utime+stime, also when the command name has spaces and parentheses', () => {
  // fields 14 (utime) = 250 and 15 (stime) = 50 ticks
  const stat = '4242 (node (my server)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
  assert.equal(cpuSecondsFromStat(stat), 3);
});

test('statusKiB reads VmRSS and VmHWM in bytes', () => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
  assert.equal(statusKiB(status, 'VmRSS'), 100 * 1024 * 1024);
  assert.equal(statusKiB(status, 'VmHWM'), 200 * 1024 * 1024);
});

test('this process can be measured', () => {
  assert.ok(processCpuSeconds(process.pid) >= 0);
  const memory = processMemory(process.pid);
  assert.ok(memory.rss > 0 && memory.peakRss >= memory.rss);
});
