// Deterministic incompressible bytes: the same seed and size always give the same bytes, so a layer
// built twice from one seed has one digest (shared base layers), and gzip cannot shrink it
// (compressed size ≈ requested size). AES-256-CTR over zeros is a fast keyed pseudo-random stream.
import { createCipheriv, createHash } from 'node:crypto';

export function seededBytes(seed: string, size: number): Buffer {
  if (!Number.isInteger(size) || size < 0) throw new Error(`seededBytes: size must be a non-negative integer, got ${size}`);
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}
