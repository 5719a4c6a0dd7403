// A minimal POSIX ustar archive writer: enough for a layer holding regular files.
// Deterministic (mtime 0, uid/gid 0) so identical input gives an identical archive.

export interface TarFile {
  /** path inside the archive, at most 100 bytes, no leading "/" */
  name: string;
  data: Buffer;
  mode?: number;
}

const BLOCK = 512;

export function tarArchive(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(tarHeader(f), f.data);
    const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  // End of archive: two zero blocks.
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** bytes a file of dataSize adds to an archive (header + padded data) */
export function tarEntrySize(dataSize: number): number {
  return BLOCK + Math.ceil(dataSize / BLOCK) * BLOCK;
}

/** bytes an archive adds around its entries (the end-of-archive blocks) */
export const TAR_TRAILER_SIZE = 2 * BLOCK;

function tarHeader(f: TarFile): Buffer {
  const name = Buffer.from(f.name, 'utf8');
  if (name.length === 0 || name.length > 100 || f.name.startsWith('/')) {
    throw new Error(`tar: file name must be 1..100 bytes and relative, got "${f.name}"`);
  }
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0);
  h.write(octal(f.mode ?? 0o644, 7), 100, 'ascii');
  h.write(octal(0, 7), 108, 'ascii'); // uid
  h.write(octal(0, 7), 116, 'ascii'); // gid
  h.write(octal(f.data.length, 11), 124, 'ascii');
  h.write(octal(0, 11), 136, 'ascii'); // mtime
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function octal(n: number, width: number): string {
  const s = n.toString(8);
  if (s.length > width) throw new Error(`tar: ${n} does not fit in ${width} octal digits`);
  return `${s.padStart(width, '0')}\0`;
}
