import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distributionRepository, preferredImageName } from './labels.js';

const repoCases: Array<[string, Record<string, string>, string | undefined]> = [
  ['registry on loopback (port dropped by containerd)', { 'containerd.io/distribution.source.127.0.0.1': 'small' }, '127.0.0.1/small'],
  ['docker hub', { 'containerd.io/distribution.source.docker.io': 'library/nginx' }, 'docker.io/library/nginx'],
  ['several repositories: the first', { 'containerd.io/distribution.source.ghcr.io': 'org/a,org/b' }, 'ghcr.io/org/a'],
  [
    'with gc labels beside it',
    {
      'containerd.io/gc.ref.content.config': 'sha256:1',
      'containerd.io/distribution.source.quay.io': 'prometheus/node-exporter',
    },
    'quay.io/prometheus/node-exporter',
  ],
  ['no source label', { 'containerd.io/gc.ref.content.l.0': 'sha256:1' }, undefined],
  ['empty value', { 'containerd.io/distribution.source.x.io': '' }, undefined],
];
for (const [name, labels, want] of repoCases) {
  test(`distributionRepository: ${name}`, () => assert.equal(distributionRepository(labels), want));
}

const nameCases: Array<[string[], string | undefined]> = [
  [['127.0.0.1:5000/app:v1'], '127.0.0.1:5000/app:v1'],
  [['sha256:abc', 'docker.io/library/nginx@sha256:def', 'docker.io/library/nginx:1.27'], 'docker.io/library/nginx:1.27'],
  [['sha256:abc', 'docker.io/library/nginx@sha256:def'], 'docker.io/library/nginx@sha256:def'],
  [['sha256:abc'], 'sha256:abc'],
  [[], undefined],
];
for (const [names, want] of nameCases) {
  test(`preferredImageName(${names.join(' ')})`, () => assert.equal(preferredImageName(names), want));
}
