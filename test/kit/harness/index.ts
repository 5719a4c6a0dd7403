// The real-components end-to-end harness: containerd, a registry, a throttling proxy, test images.
// See test/kit/harness/README.md for what was observed on containerd 1.6 with it.
export { type ContainerdHandle, type CtrResult, DEFAULT_NAMESPACE, type PullProcess, startContainerd } from './containerd.js';
export {
  CONTAINERD_SERIES,
  type ContainerdBinaries,
  type ContainerdSeries,
  containerdBinaries,
  containerdCacheDir,
} from './containerdVersions.js';
export type { CriPull } from './criPull.js';
export { type ContentEntry, type ImageEntry, parseContentList, parseImageList } from './ctrOutput.js';
export { freePort } from './freePort.js';
export { type NatsHandle, type NatsOptions, startNats } from './nats.js';
export { makeNatsJwtAuth, type NatsJwtAuth } from './natsJwt.js';
export {
  type BuiltLayer,
  buildImageBlobs,
  buildLayer,
  type Descriptor,
  type ImageSpec,
  type LayerSpec,
  localPlatform,
  MEDIA_TYPE,
  type Platform,
} from './ociImage.js';
export { POSTGRES_BIN, type PostgresHandle, startPostgres } from './postgres.js';
export {
  atHarnessExit,
  killAllSync,
  liveProcesses,
  ManagedProcess,
  ProcessGroup,
  type ProcessResult,
  runProcess,
  startProcess,
} from './processes.js';
export { type BuiltImage, buildAndPushImage, buildAndPushImageOverHttp, imageRef } from './pushImage.js';
export { type RegistryHandle, startRegistry } from './registry.js';
export { seededBytes } from './seededBytes.js';
export { makeTempDir, removeDir } from './tempDir.js';
export { startThrottleProxy, type ThrottleProxy } from './throttleProxy.js';
export { issueClientCert, issueServerCert, makeCa, type TestCa, type TestCert } from './tlsCerts.js';
export { StopWaiting, type WaitOptions, waitFor } from './waitFor.js';
