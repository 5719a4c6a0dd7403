// The test kit: everything tests and benchmarks use to start and drive the product and what it
// talks to. Real components (containerd, registry, NATS, PostgreSQL, tmux) in harness/, the fake
// Kubernetes API in fakeKube/, a `pulltrace` process, report builders, an SSE client, Chromium.
// Import it from here; the files behind it are its own business.
export * from './agentStack.js';
export * from './browser.js';
export * from './cliCommand.js';
export * from './eventSchema.js';
export * from './fakeKube/index.js';
export * from './harness/index.js';
export * from './listeningPorts.js';
export * from './postFrom.js';
export * from './pulltraceProcess.js';
export * from './reports.js';
export * from './sseClient.js';
export * from './testServer.js';
export * from './tmux.js';
export * from './uiTest.js';
