// Loads the project's own containerd .proto files (proto/containerd) into grpc-js service constructors.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// src/agent/containerd and dist/agent/containerd are both three levels below the package root.
const PROTO_DIR = fileURLToPath(new URL('../../../proto/containerd/', import.meta.url));

type ServiceCtor = grpc.ServiceClientConstructor;

export interface ContainerdServices {
  Version: ServiceCtor;
  Content: ServiceCtor;
  Images: ServiceCtor;
  Events: ServiceCtor;
  Namespaces: ServiceCtor;
}

let loaded: ContainerdServices | undefined;

export function containerdServices(): ContainerdServices {
  if (loaded) return loaded;
  const definition = protoLoader.loadSync(['version.proto', 'content.proto', 'images.proto', 'events.proto', 'namespaces.proto'], {
    includeDirs: [PROTO_DIR],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    containerd: {
      services: {
        version: { v1: { Version: ServiceCtor } };
        content: { v1: { Content: ServiceCtor } };
        images: { v1: { Images: ServiceCtor } };
        events: { v1: { Events: ServiceCtor } };
        namespaces: { v1: { Namespaces: ServiceCtor } };
      };
    };
  };
  const s = pkg.containerd.services;
  loaded = {
    Version: s.version.v1.Version,
    Content: s.content.v1.Content,
    Images: s.images.v1.Images,
    Events: s.events.v1.Events,
    Namespaces: s.namespaces.v1.Namespaces,
  };
  return loaded;
}
