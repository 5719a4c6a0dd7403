// Plain records of what containerd says, as the agent's pure code consumes them.

/** One active ingest: a blob being written into the content store (a download in progress). */
export interface IngestStatus {
  /** e.g. `layer-sha256:<hex>`; names the blob, never the image */
  ref: string;
  offset: number;
  total: number;
  startedAtMs: number;
  updatedAtMs: number;
}

/** A committed blob of the content store. */
export interface BlobInfo {
  digest: string;
  size: number;
  createdAtMs: number;
  labels: Record<string, string>;
}

/** An image record (name → target descriptor). */
export interface ImageRecord {
  name: string;
  targetDigest: string;
  targetMediaType: string;
}

export interface RuntimeVersion {
  version: string;
  revision: string;
}
