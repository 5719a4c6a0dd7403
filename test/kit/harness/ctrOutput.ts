// Parsers for `ctr` table output, so tests can assert on the content store and image records
// without a gRPC client of their own. Pure functions; columns are tab-separated.

export interface ContentEntry {
  digest: string;
  /** as printed by ctr (e.g. "3.146MB", "563B"): ctr rounds, use the digest to identify blobs */
  size: string;
  labels: Record<string, string>;
}

export interface ImageEntry {
  ref: string;
  mediaType: string;
  digest: string;
}

/** `ctr content ls`: DIGEST SIZE AGE LABELS ("-" when no label) */
export function parseContentList(stdout: string): ContentEntry[] {
  return dataRows(stdout).map((cols) => {
    const [digest = '', size = '', , labelText = '-'] = cols;
    const labels: Record<string, string> = {};
    if (labelText !== '-') {
      // ctr joins labels with "," and values may hold "," too (distribution.source lists every
      // repository: "share/a,share/b"): a piece without "=" continues the previous value.
      let last: string | undefined;
      for (const piece of labelText.split(',')) {
        const eq = piece.indexOf('=');
        if (eq > 0) {
          last = piece.slice(0, eq);
          labels[last] = piece.slice(eq + 1);
        } else if (last !== undefined) {
          labels[last] += `,${piece}`;
        }
      }
    }
    return { digest, size, labels };
  });
}

/** `ctr images ls`: REF TYPE DIGEST SIZE PLATFORMS LABELS, padded with spaces (SIZE itself has one: "5.0 MiB") */
export function parseImageList(stdout: string): ImageEntry[] {
  return lines(stdout).map((line) => {
    const [ref = '', mediaType = '', digest = ''] = line.trim().split(/\s+/);
    return { ref, mediaType, digest };
  });
}

// `ctr content ls` pads with tabs (AGE holds spaces: "4 seconds"), so cells are split on tabs.
function dataRows(stdout: string): string[][] {
  return lines(stdout).map((line) =>
    line
      .split('\t')
      .map((c) => c.trim())
      .filter((c) => c !== ''),
  );
}

function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .slice(1) // header
    .filter((line) => line.trim() !== '');
}
