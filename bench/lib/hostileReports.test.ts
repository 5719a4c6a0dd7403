import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publishedValidator } from '../../test/kit/index.js';
import { BODY_LIMIT, HOSTILE_SHAPES, hostileReport } from './hostileReports.js';

const validate = publishedValidator('agent-report-v1.json');

for (const shape of HOSTILE_SHAPES) {
  test(`${shape}: a valid report of at most 1 MiB whose bytes grow each round`, () => {
    const first = hostileReport(shape, 'bench-node', 0);
    const size = Buffer.byteLength(first);
    // Raw ingests are bounded by the 1,000 entries a report may hold, not by the body limit.
    const floor = shape === 'raw-ingests' ? 100_000 : BODY_LIMIT * 0.9;
    assert.ok(size <= BODY_LIMIT && size > floor, `${size} bytes`);
    const report = JSON.parse(first) as { pulls: Array<{ layers: Array<{ downloadedBytes: number }> }> };
    assert.ok(validate(report), validate.describe());
    const second = JSON.parse(hostileReport(shape, 'bench-node', 1));
    assert.ok(second.pulls[0].layers[0].downloadedBytes > (report.pulls[0]?.layers[0]?.downloadedBytes ?? Number.POSITIVE_INFINITY));
  });
}
