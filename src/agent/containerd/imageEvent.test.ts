import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageNameFromEvent } from './imageEvent.js';

// Encodes like protobuf: a length-delimited field is key (field << 3 | 2), length, bytes.
const field = (n: number, text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
};
const mapEntry = (k: string, v: string) => {
  const entry = Buffer.concat([field(1, k), field(2, v)]);
  return Buffer.concat([Buffer.from([(2 << 3) | 2, entry.length]), entry]);
};

const cases: Array<[string, Buffer, string | undefined]> = [
  ['name only', field(1, '127.0.0.1:5000/app:v1'), '127.0.0.1:5000/app:v1'],
  [
    'labels before the name',
    Buffer.concat([mapEntry('io.cri-containerd.image', 'managed'), field(1, 'docker.io/library/nginx:1.27')]),
    'docker.io/library/nginx:1.27',
  ],
  ['a varint field before the name', Buffer.concat([Buffer.from([(3 << 3) | 0, 0x96, 0x01]), field(1, 'x:y')]), 'x:y'],
  ['empty payload', Buffer.alloc(0), undefined],
  ['truncated length', Buffer.from([(1 << 3) | 2, 50, 0x61]), undefined],
  ['unsupported wire type', Buffer.from([(1 << 3) | 3]), undefined],
];
for (const [name, bytes, want] of cases) {
  test(`imageNameFromEvent: ${name}`, () => assert.equal(imageNameFromEvent(bytes), want));
}
