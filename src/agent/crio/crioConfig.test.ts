// The text is in the shape `crio config` prints and `GET /config` on crio.sock answers (TOML,
// tables [crio], [crio.api], [crio.image], …, keys indented by two spaces), cut to what matters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCrioConfigPaths } from './crioConfig.js';

const CONFIG = `
[crio]
  root = "/var/lib/containers/storage"
  runroot = "/run/containers/storage"
  storage_driver = "overlay"
  log_dir = "/var/log/crio/pods"

[crio.api]
  listen = "/var/run/crio/crio.sock"

[crio.image]
  default_transport = "docker://"
  global_auth_file = ""
  pause_image = "registry.k8s.io/pause:3.10"
  big_files_temporary_dir = "/var/lib/crio-tmp"
  pull_progress_timeout = "0s"
`;

test('root and big_files_temporary_dir are read from their tables', () => {
  assert.deepEqual(parseCrioConfigPaths(CONFIG), { storageRoot: '/var/lib/containers/storage', tmpDir: '/var/lib/crio-tmp' });
});

test("an empty big_files_temporary_dir is containers/image's default: not set", () => {
  assert.deepEqual(parseCrioConfigPaths(CONFIG.replace('"/var/lib/crio-tmp"', '""')), { storageRoot: '/var/lib/containers/storage' });
});

test('a root key in another table is not the storage root', () => {
  assert.deepEqual(parseCrioConfigPaths('[crio.runtime.runtimes.runc]\n  root = "/run/runc"\n'), {});
});
