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
