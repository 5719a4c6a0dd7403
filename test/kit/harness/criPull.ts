// Pull an image through containerd's CRI plugin, the way kubelet does (runtime.v1.ImageService/PullImage):
// the download then runs inside containerd instead of in a ctr process.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface CriPull {
  /** resolves when the call ends: imageRef on success (the image ID, sha256:<config digest>), error text otherwise */
  done: Promise<{ ok: boolean; imageRef?: string; error?: string }>;
  /** cancel the call, as kubelet does when it gives up */
  cancel(): void;
}

type PullImageClient = grpc.Client & {
  PullImage(
    req: { image: { image: string } },
    callback: (err: grpc.ServiceError | null, res?: { image_ref: string }) => void,
  ): grpc.ClientUnaryCall;
};

let clientCtor: (new (address: string, creds: grpc.ChannelCredentials) => PullImageClient) | undefined;

function imageServiceClient(socket: string): PullImageClient {
  if (!clientCtor) {
    const definition = protoLoader.loadSync(fileURLToPath(new URL('./cri.proto', import.meta.url)), { keepCase: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      runtime: { v1: { ImageService: new (address: string, creds: grpc.ChannelCredentials) => PullImageClient } };
    };
    clientCtor = pkg.runtime.v1.ImageService;
  }
  return new clientCtor(`unix://${socket}`, grpc.credentials.createInsecure());
}

export function criPullImage(socket: string, ref: string): CriPull {
  const client = imageServiceClient(socket);
  let call: grpc.ClientUnaryCall | undefined;
  const done = new Promise<{ ok: boolean; imageRef?: string; error?: string }>((resolve) => {
    call = client.PullImage({ image: { image: ref } }, (err, res) => {
      client.close();
      if (err) resolve({ ok: false, error: err.details || err.message });
      else resolve({ ok: true, imageRef: res?.image_ref ?? '' });
    });
  });
  return { done, cancel: () => call?.cancel() };
}
