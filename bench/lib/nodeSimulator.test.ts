import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AgentReportSchema } from '../../src/model/index.js';
import { nodeName, SimulatedNode } from './nodeSimulator.js';

const validate = addFormats.default(new Ajv.default({ allErrors: true })).compile(AgentReportSchema);

test('simulated nodes send valid AgentReports for a minute of reports, with 0–3 pulls of 3–8 layers', () => {
  const start = Date.parse('2026-11-27T10:00:00.000Z');
  for (let n = 0; n < 50; n++) {
    const node = new SimulatedNode(nodeName(n), n + 1, start);
    for (let s = 0; s < 60; s++) {
      const report = node.report(start + s * 1000);
      assert.ok(validate(report), `${report.nodeName} second ${s}: ${JSON.stringify(validate.errors)}`);
      assert.ok(report.pulls.length <= 3);
      for (const pull of report.pulls) assert.ok(pull.layers.length >= 3 && pull.layers.length <= 8);
    }
  }
});

test('bytes only advance, and an ended pull is reported once with its final status', () => {
  const start = 0;
  const node = new SimulatedNode('node-00001', 7, start);
  const seen = new Map<string, number>();
  const ended = new Map<string, number>();
  let anyEnded = false;
  for (let s = 0; s < 300; s++) {
    for (const pull of node.report(start + s * 1000).pulls) {
      const key = `${pull.manifestDigest}`;
      const bytes = pull.layers.reduce((sum, l) => sum + l.downloadedBytes, 0);
      assert.ok(bytes >= (seen.get(key) ?? 0), 'downloaded bytes never decrease');
      seen.set(key, bytes);
      if (pull.status !== 'pulling') {
        anyEnded = true;
        assert.equal(ended.has(key), false, 'an ended pull appears in one report only');
        ended.set(key, s);
      }
    }
  }
  assert.ok(anyEnded, 'pulls end within five minutes');
});

for (const [index, name] of [
  [0, 'node-00000'],
  [42, 'node-00042'],
  [4999, 'node-04999'],
] as const) {
  test(`nodeName(${index}) is ${name}`, () => assert.equal(nodeName(index), name));
}

test('rollout profile: about the given share of nodes pull one 8-layer image at all times, the rest report none', () => {
  const start = 0;
  let pulling = 0;
  for (let n = 0; n < 500; n++) {
    const node = new SimulatedNode(nodeName(n), n + 1, start, { pullingShare: 0.2 });
    const counts = Array.from({ length: 120 }, (_, s) => node.report(start + s * 1000)).map(
      (r) => r.pulls.filter((p) => p.status === 'pulling').length,
    );
    for (const r of [node.report(start + 121_000)]) assert.ok(validate(r), JSON.stringify(validate.errors));
    if (counts[0] === 0)
      assert.ok(
        counts.every((c) => c === 0),
        'an idle node stays idle',
      );
    else {
      pulling++;
      assert.ok(
        counts.every((c) => c === 1),
        `${node.name} always has exactly one pull going`,
      );
    }
  }
  assert.ok(pulling > 70 && pulling < 130, `${pulling} of 500 nodes pulling`);
});
