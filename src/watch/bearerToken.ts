// The bearer token `watch` sends to a server behind an authenticating proxy (oauth2-proxy, an
// Ingress with auth): from --token-file, else PULLTRACE_TOKEN. The file is read again for every
// request, so a rotated token (a projected service-account token, a renewed login) is picked up on
// the next reconnect. The token is never part of a message: errors name where it came from.
import { WatchUsageError } from './watchOptions.js';

export interface TokenSettings {
  /** --token-file */
  tokenFile?: string;
  /** PULLTRACE_TOKEN */
  envToken?: string;
}

/** Returns the token (checked) each time it is called; undefined when no token is configured. */
export function bearerTokenSource(settings: TokenSettings, readFile: (path: string) => string): (() => string) | undefined {
  const { tokenFile, envToken } = settings;
  if (tokenFile !== undefined) {
    return () => {
      let text: string;
      try {
        text = readFile(tokenFile);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new WatchUsageError(`--token-file: cannot read "${tokenFile}"${code ? ` (${code})` : ''}`);
      }
      return checkedToken(text, `--token-file: the token in "${tokenFile}"`);
    };
  }
  if (envToken !== undefined && envToken !== '') {
    const token = checkedToken(envToken, 'PULLTRACE_TOKEN');
    return () => token;
  }
  return undefined;
}

/** Surrounding whitespace (a file's final newline) is not part of a token; inside, only visible ASCII. */
export function checkedToken(text: string, what: string): string {
  const token = text.trim();
  if (token === '') throw new WatchUsageError(`${what} is empty`);
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new WatchUsageError(`${what} has a character a bearer token cannot have (only visible ASCII, no spaces or line breaks inside)`);
  }
  return token;
}
