import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followsAllNamespaces, NAMESPACE_RELIST_POLLS, namespaceListDue } from './followedNamespaces.js';

test('without Kubernetes and no namespace given, every namespace is followed', () => {
  assert.equal(followsAllNamespaces({ kubernetes: false, namespaceGiven: false }), true);
});

test('a namespace given, or Kubernetes watched, means one namespace', () => {
  assert.equal(followsAllNamespaces({ kubernetes: false, namespaceGiven: true }), false);
  assert.equal(followsAllNamespaces({ kubernetes: true, namespaceGiven: false }), false);
  assert.equal(followsAllNamespaces({ kubernetes: true, namespaceGiven: true }), false);
});

test('the namespace list is asked for at the first poll, then every NAMESPACE_RELIST_POLLS polls', () => {
  assert.equal(NAMESPACE_RELIST_POLLS, 1, 'every poll: a new namespace is followed at once');
  assert.equal(namespaceListDue(undefined), true);
  assert.equal(namespaceListDue(NAMESPACE_RELIST_POLLS), true);
  assert.equal(namespaceListDue(1, 3), false);
  assert.equal(namespaceListDue(3, 3), true);
});
