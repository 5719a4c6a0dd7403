import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageRefError, imageRefsMatch, normalizeImageRef, repositoryMatchesIgnoringPort, repositoryOf } from './imageRef.js';

const D = 'e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const D2 = '0000000000000000000000000000000000000000000000000000000000000001';

// [input, ParseDockerRef result] — runtime-facts.md §3 plus a few more.
const normalized: Array<[string, string]> = [
  ['nginx', 'docker.io/library/nginx:latest'],
  ['nginx:1.27', 'docker.io/library/nginx:1.27'],
  ['nginx:1.27-alpine3.20', 'docker.io/library/nginx:1.27-alpine3.20'],
  ['library/nginx', 'docker.io/library/nginx:latest'],
  ['docker.io/nginx', 'docker.io/library/nginx:latest'],
  ['index.docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
  ['index.docker.io/nginx', 'docker.io/library/nginx:latest'],
  ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
  ['docker.io/bitnami/redis', 'docker.io/bitnami/redis:latest'],
  ['user/repo/sub:tag', 'docker.io/user/repo/sub:tag'],
  ['registry-1.docker.io/bitnami/nginx:latest', 'registry-1.docker.io/bitnami/nginx:latest'],
  ['ghcr.io/org/app:v1.2.3', 'ghcr.io/org/app:v1.2.3'],
  ['quay.io/prometheus/node-exporter', 'quay.io/prometheus/node-exporter:latest'],
  ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
  ['public.ecr.aws/docker/library/nginx:stable', 'public.ecr.aws/docker/library/nginx:stable'],
  ['localhost:5000/myapp', 'localhost:5000/myapp:latest'],
  ['localhost/myapp:dev', 'localhost/myapp:dev'],
  ['localhost:5000', 'docker.io/library/localhost:5000'],
  ['localhost', 'docker.io/library/localhost:latest'],
  ['example.com', 'docker.io/library/example.com:latest'],
  ['myregistry:5000/team/app:1.0', 'myregistry:5000/team/app:1.0'],
  ['registry.local/app', 'registry.local/app:latest'],
  ['quay.io:443/org/app', 'quay.io:443/org/app:latest'],
  ['192.168.1.100:5000/dev/svc:latest', '192.168.1.100:5000/dev/svc:latest'],
  ['127.0.0.1:5000/pulltrace/big:v1', '127.0.0.1:5000/pulltrace/big:v1'],
  ['[fc00::1]:5000/app', '[fc00::1]:5000/app:latest'],
  [`nginx@sha256:${D}`, `docker.io/library/nginx@sha256:${D}`],
  [`nginx:1.27@sha256:${D}`, `docker.io/library/nginx@sha256:${D}`],
  [`docker.io/library/busybox:latest@sha256:${D}`, `docker.io/library/busybox@sha256:${D}`],
  [`localhost:5000/app@sha256:${D}`, `localhost:5000/app@sha256:${D}`],
  ['nginx:Latest', 'docker.io/library/nginx:Latest'],
  ['Foo/bar', 'Foo/bar:latest'],
  ['my_app', 'docker.io/library/my_app:latest'],
  ['my__app', 'docker.io/library/my__app:latest'],
  ['a--b/c', 'docker.io/a--b/c:latest'],
  ['curlimages/curl:8.21.0', 'docker.io/curlimages/curl:8.21.0'],
];
for (const [input, want] of normalized) {
  test(`normalize ${input}`, () => assert.equal(normalizeImageRef(input), want));
}

// [input, part of the error message]
const invalid: Array<[string, RegExp]> = [
  ['Nginx', /repository name \(library\/Nginx\) must be lowercase/],
  ['ghcr.io/Org/app', /repository name \(Org\/app\) must be lowercase/],
  ['nginx:', /bad tag/],
  ['-foo', /bad repository path/],
  ['my___app', /bad repository path/],
  [D, /cannot specify 64-byte hexadecimal strings/],
  ['', /empty/],
  ['registry.hub.docker.com/library//nginx:latest', /bad repository path/],
  ['nginx@sha256:abc', /bad digest/],
  [`nginx@md5:${D}`, /unsupported digest algorithm/],
  [`nginx@sha256:${D}00`, /needs 64 lowercase hex/],
  [`nginx:${'x'.repeat(129)}`, /bad tag/],
  [`a.io/${'x'.repeat(260)}`, /not be more than 255/],
];
for (const [input, message] of invalid) {
  test(`reject ${JSON.stringify(input.slice(0, 40))}`, () => {
    assert.throws(
      () => normalizeImageRef(input),
      (err: unknown) => err instanceof ImageRefError && message.test(err.message),
    );
  });
}

const repositories: Array<[string, string]> = [
  ['nginx', 'docker.io/library/nginx'],
  [`nginx:1.27@sha256:${D}`, 'docker.io/library/nginx'],
  ['localhost:5000/team/app:1', 'localhost:5000/team/app'],
  ['[fc00::1]:5000/app', '[fc00::1]:5000/app'],
];
for (const [input, want] of repositories) {
  test(`repositoryOf ${input}`, () => assert.equal(repositoryOf(input), want));
}

// [a, b, options, match?]
const matches: Array<[string, string, Parameters<typeof imageRefsMatch>[2], boolean]> = [
  ['nginx', 'docker.io/library/nginx:latest', {}, true],
  ['nginx', 'nginx:latest', {}, true],
  ['nginx', 'nginx:1.27', {}, false],
  ['nginx:1.27', 'docker.io/library/nginx:1.27', {}, true],
  ['nginx:1.27', 'nginx:1.28', {}, false],
  ['nginx:1.27', 'library/nginx:1.27', {}, true],
  ['nginx:1.27', 'bitnami/nginx:1.27', {}, false],
  ['nginx:1.27', `docker.io/library/nginx@sha256:${D}`, {}, true],
  [`nginx@sha256:${D}`, `nginx@sha256:${D2}`, {}, false],
  [`nginx:1.27@sha256:${D}`, `nginx:1.28@sha256:${D}`, {}, true],
  [`nginx:1.27@sha256:${D}`, 'nginx:1.28', {}, false],
  ['nginx:1.27', 'docker.io/library/nginx', {}, false],
  ['nginx:1.27', 'docker.io/library/nginx', { bAnyTag: true }, true],
  ['docker.io/library/nginx', 'nginx:1.27', { bAnyTag: true }, false],
  ['127.0.0.1:5000/repo:tag', '127.0.0.1/repo', {}, false],
  ['127.0.0.1:5000/repo:tag', '127.0.0.1/repo', { portless: true, bAnyTag: true }, true],
  ['127.0.0.1:5000/repo:tag', '127.0.0.1:5001/repo', { portless: true, bAnyTag: true }, false],
  ['127.0.0.1:5000/repo:tag', '127.0.0.2/repo', { portless: true, bAnyTag: true }, false],
  ['localhost:5000/app', 'localhost/app:latest', { portless: true }, true],
  ['Nginx', 'Nginx', {}, false],
  ['registry-1.docker.io/library/nginx', 'nginx', {}, false],
];
for (const [a, b, options, want] of matches) {
  test(`match ${a} ~ ${b} ${JSON.stringify(options)} → ${want}`, () => assert.equal(imageRefsMatch(a, b, options), want));
}

test('repositoryMatchesIgnoringPort tolerates a port on one side only', () => {
  assert.equal(repositoryMatchesIgnoringPort('127.0.0.1:5000/pulltrace/big:v1', '127.0.0.1/pulltrace/big'), true);
  assert.equal(repositoryMatchesIgnoringPort('127.0.0.1/pulltrace/big', '127.0.0.1:5000/pulltrace/big'), true);
  assert.equal(repositoryMatchesIgnoringPort('127.0.0.1:5000/pulltrace/big', '127.0.0.1:5001/pulltrace/big'), false);
  assert.equal(repositoryMatchesIgnoringPort('127.0.0.1:5000/pulltrace/big', '127.0.0.1/pulltrace/small'), false);
  assert.equal(repositoryMatchesIgnoringPort('not valid!', 'not valid!'), false);
});
