import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followsAllNamespaces } from './followedNamespaces.js';

test('without Kubernetes and no namespace given, every namespace is followed', () => {
  assert.equal(followsAllNamespaces({ kubernetes: false, namespaceGiven: false }), true);
});

test('a namespace given, or Kubernetes watched, means one namespace', () => {
  assert.equal(followsAllNamespaces({ kubernetes: false, namespaceGiven: true }), false);
  assert.equal(followsAllNamespaces({ kubernetes: true, namespaceGiven: false }), false);
  assert.equal(followsAllNamespaces({ kubernetes: true, namespaceGiven: true }), false);
});
