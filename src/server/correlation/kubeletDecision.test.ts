import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeAction } from './kubeAction.js';
import { type CandidatePull, decideKubeletAction, type KubeletSignalFacts } from './kubeletDecision.js';

const same = (a: string, b: string) => a === b;
const IMG = 'docker.io/library/nginx:1.27';
const NODE = 'worker-1';
const failedMsg = `Failed to pull image "nginx:1.27": failed to pull and unpack image "${IMG}": failed to copy: read: connection reset by peer`;
const sig = (kind: string, extra: Partial<KubeletSignalFacts> = {}): KubeletSignalFacts => ({
  kind,
  nodeName: NODE,
  image: IMG,
  message: kind,
  ...extra,
});
const pull = (id: string, status: CandidatePull['status'], errorRank = 0, imageRef = IMG): CandidatePull => ({
  id,
  imageRef,
  status,
  errorRank,
});

const cases: Array<[string, KubeletSignalFacts, CandidatePull[], KubeAction | undefined]> = [
  [
    'Failed fails the active pull',
    sig('pullFailed', { message: failedMsg }),
    [pull('p1', 'pulling')],
    { kind: 'fail', pullId: 'p1', message: failedMsg, rank: 3 },
  ],
  [
    'Failed fails a stalled pull',
    sig('pullFailed'),
    [pull('p1', 'stalled')],
    { kind: 'fail', pullId: 'p1', message: 'pullFailed', rank: 3 },
  ],
  [
    "Failed refines the agent's failure",
    sig('pullFailed', { message: failedMsg }),
    [pull('p1', 'failed', 2)],
    { kind: 'refine', pullId: 'p1', message: failedMsg, rank: 3 },
  ],
  ['bare Error: ErrImagePull does not replace an informative message', sig('errorCompanion'), [pull('p1', 'failed', 3)], undefined],
  ["BackOff does not replace the agent's reason", sig('backOff'), [pull('p1', 'failed', 2)], undefined],
  ['a second Failed of a retry refines nothing new', sig('pullFailed'), [pull('p1', 'failed', 3)], undefined],
  [
    'Failed with no pull creates a failed pull',
    sig('pullFailed', { message: failedMsg }),
    [],
    { kind: 'createFailed', nodeName: NODE, imageRef: IMG, message: failedMsg, rank: 3 },
  ],
  [
    'BackOff with no pull creates a failed pull',
    sig('backOff'),
    [],
    { kind: 'createFailed', nodeName: NODE, imageRef: IMG, message: 'backOff', rank: 1 },
  ],
  [
    'a failure of another image leaves this pull alone',
    sig('pullFailed', { image: 'docker.io/library/redis:7' }),
    [pull('p1', 'pulling')],
    { kind: 'createFailed', nodeName: NODE, imageRef: 'docker.io/library/redis:7', message: 'pullFailed', rank: 3 },
  ],
  [
    'a completed pull is not failed by a later failure',
    sig('pullFailed'),
    [pull('p1', 'completed')],
    { kind: 'createFailed', nodeName: NODE, imageRef: IMG, message: 'pullFailed', rank: 3 },
  ],
  [
    'Pulled completes the active pull with kubelet figures',
    sig('pulled', { pullSeconds: 1.5, imageBytes: 1234, pullWithWaitingSeconds: 4 }),
    [pull('p1', 'pulling')],
    { kind: 'complete', pullId: 'p1', pullSeconds: 1.5, imageBytes: 1234, withWaitingSeconds: 4 },
  ],
  [
    'Pulled completes an unpacking pull',
    sig('pulled', { pullSeconds: 1.5 }),
    [pull('p1', 'unpacking')],
    { kind: 'complete', pullId: 'p1', pullSeconds: 1.5, imageBytes: undefined, withWaitingSeconds: undefined },
  ],
  [
    'a failure fails an unpacking pull',
    sig('pullFailed'),
    [pull('p1', 'unpacking')],
    { kind: 'fail', pullId: 'p1', message: 'pullFailed', rank: 3 },
  ],
  [
    'Pulled after the agent completed annotates',
    sig('pulled', { pullSeconds: 2 }),
    [pull('p1', 'completed')],
    { kind: 'annotate', pullId: 'p1', pullSeconds: 2, imageBytes: undefined, withWaitingSeconds: undefined },
  ],
  ['Pulled with no pull does nothing', sig('pulled'), [], undefined],
  ['already present does nothing', sig('alreadyPresent'), [pull('p1', 'pulling')], undefined],
  ['Pulling does nothing here (it names pulls)', sig('pulling'), [], undefined],
  ['a message without an image does nothing', sig('errorCompanion', { image: '' }), [pull('p1', 'pulling')], undefined],
  [
    'the newest matching pull is chosen',
    sig('pullFailed'),
    [pull('new', 'pulling'), pull('old', 'failed', 3)],
    { kind: 'fail', pullId: 'new', message: 'pullFailed', rank: 3 },
  ],
];
for (const [name, signal, candidates, want] of cases) {
  test(name, () => assert.deepEqual(decideKubeletAction(signal, candidates, same), want));
}
