// `pulltrace watch` (and the core of kubectl-pulltrace): live pull progress in a terminal.
export { type EventStream, followEvents, type StreamStatus } from './eventStream.js';
export { describeFailure, runWatchCommand, type WatchIo, watch } from './runWatch.js';
export { formatDuration } from './terminalFormat.js';
export { getJson, HttpError, httpTransport, serverMessage, type Transport } from './transport.js';
export { parseWatchArgs, type WatchOptions, WatchUsageError, watchHelp } from './watchOptions.js';
