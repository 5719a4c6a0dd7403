import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { AgentReportSchema, REPORT_LIMITS } from '../../model/index.js';
import { reportProblem } from './reportCheck.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const layer = { digest: 'sha256:aa', totalBytes: 10, downloadedBytes: 5, state: 'downloading' };
const pull = { imageRef: 'registry.example.com/app:1', startedAt: '2026-11-27T09:59:00Z', status: 'pulling', layers: [layer] };
const good = { nodeName: 'worker-1', timestamp: '2026-11-27T10:00:00Z', agent: { version: '1' }, pulls: [pull] };

// What a hostile writer of the shared log (or an agent) might send, and what must be said about it.
const cases: Array<[string, unknown, RegExp | undefined]> = [
  ['a current report', good, undefined],
  [
    "the original agent's shape (no status, Go zero time)",
    { nodeName: 'n', pulls: [{ imageRef: 'x', startedAt: '0001-01-01T00:00:00Z', layers: [] }] },
    undefined,
  ],
  ['an unknown extra field (tolerated, as over HTTP)', { ...good, extra: 1 }, undefined],
  ['a number as imageRef', { ...good, pulls: [{ ...pull, imageRef: 12345 }] }, /^pulls\[0\]\.imageRef: expected string/],
  ['an object as imageRef', { ...good, pulls: [{ ...pull, imageRef: { toLowerCase: 1 } }] }, /^pulls\[0\]\.imageRef/],
  [
    'an unknown status',
    { ...good, pulls: [{ ...pull, status: 'exploded' }] },
    /^pulls\[0\]\.status must be one of pulling, unpacking, completed, failed$/,
  ],
  [
    'an unbounded failure reason',
    { ...good, pulls: [{ ...pull, status: 'failed', failureReason: 'x-1' }] },
    /failureReason must be one of auth/,
  ],
  [
    'a fractional byte count',
    { ...good, pulls: [{ ...pull, layers: [{ ...layer, totalBytes: 1.5 }] }] },
    /layers\[0\]\.totalBytes: expected integer/,
  ],
  ['a negative byte count', { ...good, pulls: [{ ...pull, layers: [{ ...layer, downloadedBytes: -1 }] }] }, /downloadedBytes/],
  ['bytes past 2^53', { ...good, pulls: [{ ...pull, layers: [{ ...layer, totalBytes: 2 ** 60 }] }] }, /totalBytes/],
  ['a node name that is no DNS name', { ...good, nodeName: 'Worker 1' }, /^nodeName/],
  ['no node name', { pulls: [] }, /nodeName/],
  ['pulls not an array', { nodeName: 'n', pulls: 'all' }, /^pulls/],
  ['too many pulls', { nodeName: 'n', pulls: Array.from({ length: REPORT_LIMITS.pulls + 1 }, () => pull) }, /^pulls/],
  ['too long an imageRef', { ...good, pulls: [{ ...pull, imageRef: 'x'.repeat(REPORT_LIMITS.imageRefChars + 1) }] }, /imageRef/],
  [
    'an error of 4,096 characters outside the BMP (8,192 UTF-16 units)',
    { ...good, pulls: [{ ...pull, status: 'failed', error: '𝕏'.repeat(REPORT_LIMITS.errorChars) }] },
    undefined,
  ],
  [
    'an error of 4,097 such characters',
    { ...good, pulls: [{ ...pull, status: 'failed', error: '𝕏'.repeat(REPORT_LIMITS.errorChars + 1) }] },
    /error/,
  ],
  ['null', null, /^the report/],
  ['an array', [], /^the report/],
  ['a string', 'report', /^the report/],
  [
    'a start time in 1980',
    { ...good, pulls: [{ ...pull, startedAt: '1980-01-01T00:00:00Z' }] },
    /^pulls\[0\]\.startedAt must be after 2000-01-01$/,
  ],
  ['a timestamp an hour ahead', { ...good, timestamp: '2026-11-27T11:00:00Z' }, /^timestamp is more than 10 minutes ahead/],
  ['a start time that is not a time', { ...good, pulls: [{ ...pull, startedAt: 'yesterday' }] }, /RFC 3339/],
];

test('reportProblem: the schema and time bounds of POST /api/v1/report, naming the field', () => {
  for (const [name, value, want] of cases) {
    const problem = reportProblem(value, NOW);
    if (want === undefined) assert.equal(problem, undefined, name);
    else assert.match(problem?.message ?? '(accepted)', want, name);
  }
  assert.equal(reportProblem({ ...good, timestamp: '2026-11-27T11:00:00Z' }, NOW)?.reason, 'time');
  assert.equal(reportProblem({ ...good, pulls: [{ ...pull, imageRef: 12345 }] }, NOW)?.reason, 'schema');
});

test('reportProblem accepts and refuses by the schema exactly as the HTTP route (ajv, as Fastify compiles it) does', () => {
  const ajv = new Ajv({ strict: false, coerceTypes: false, removeAdditional: false, allErrors: false });
  const validate = ajv.compile(AgentReportSchema);
  for (const [name, value] of cases) {
    const schemaRefused = reportProblem(value, NOW)?.reason === 'schema';
    assert.equal(schemaRefused, !validate(value), name);
  }
});
