// How the server connects to NATS (PULLTRACE_BUS and the PULLTRACE_BUS_*_FILE settings), as the
// options of the NATS client. The client ignores a URL's userinfo and scheme, so both are turned
// into options here: `nats://user:password@host` is a user and password, `nats://token@host` a
// token, and `tls://` requires TLS (the client would otherwise talk plain text to a server that
// does not insist). A CA, client certificate or key file also means TLS. A `.creds` file (a user
// JWT and its nkey seed) signs the server's challenge. The URL given to the client carries no
// credentials, so nothing the client logs or throws can show them.
import { type ConnectionOptions, credsAuthenticator } from 'nats';

/** The bus settings, as resolved from PULLTRACE_BUS and PULLTRACE_BUS_*_FILE. */
export interface BusSettings {
  bus: string;
  busCredsFile: string;
  busCaFile: string;
  busCertFile: string;
  busKeyFile: string;
}

/** The contents of the files the settings name (read at start-up by readBusFiles). */
export interface BusFiles {
  creds?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

export type NatsConnectOptions = Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'>;

export function natsConnectOptions(url: string, files: BusFiles): NatsConnectOptions {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  const options: NatsConnectOptions = { servers: `${parsed.protocol}//${parsed.host}` };
  if (user && parsed.password) {
    options.user = user;
    options.pass = pass;
  } else if (user) {
    options.token = user;
  }
  if (files.creds !== undefined) options.authenticator = credsAuthenticator(new TextEncoder().encode(files.creds));
  if (parsed.protocol === 'tls:' || files.ca !== undefined || files.cert !== undefined || files.key !== undefined) {
    options.tls = {
      ...(files.ca !== undefined ? { ca: files.ca } : {}),
      ...(files.cert !== undefined ? { cert: files.cert } : {}),
      ...(files.key !== undefined ? { key: files.key } : {}),
    };
  }
  return options;
}

/** Why `text` is not a NATS `.creds` file, or undefined when it looks like one. */
export function credsFileProblem(text: string): string | undefined {
  const jwt = /-{3,}BEGIN NATS USER JWT-{3,}\r?\n\s*([^\s-][^\r\n]*)\r?\n/.exec(text);
  const seed = /-{3,}BEGIN USER NKEY SEED-{3,}\r?\n\s*(SU[A-Z2-7]+)\s*\r?\n/.exec(text);
  if (!jwt) return 'holds no NATS user JWT (-----BEGIN NATS USER JWT-----)';
  if (!seed) return 'holds no user nkey seed (-----BEGIN USER NKEY SEED-----, starting SU)';
  return undefined;
}

/**
 * Reads the files the bus settings name, with an error naming the setting and path (never a
 * file's content) when one cannot be read or is not what the setting takes.
 */
export function readBusFiles(settings: BusSettings, readFile: (path: string) => string): BusFiles {
  const read = (setting: string, path: string): string | undefined => {
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${setting} ${path} cannot be read${code ? ` (${code})` : ''}`);
    }
  };
  const files: BusFiles = {
    creds: read('PULLTRACE_BUS_CREDS_FILE', settings.busCredsFile),
    ca: read('PULLTRACE_BUS_CA_FILE', settings.busCaFile),
    cert: read('PULLTRACE_BUS_CERT_FILE', settings.busCertFile),
    key: read('PULLTRACE_BUS_KEY_FILE', settings.busKeyFile),
  };
  const problem = files.creds === undefined ? undefined : credsFileProblem(files.creds);
  if (problem) throw new Error(`PULLTRACE_BUS_CREDS_FILE ${settings.busCredsFile} is not a NATS .creds file: it ${problem}`);
  return files;
}
