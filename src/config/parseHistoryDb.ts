// The `db` setting: a SQLite file path (or ":memory:"), or a postgres:// URL for a history shared
// by replicas. A URL is checked here so a typo stops the server at start with the reason. Any other
// `scheme://` is refused: taken as a path, `postgress://u:s3cret@db/x` or `mysql://…` would create
// a SQLite file in a folder named after the credentials, and log them.
import { isPostgresUrl, postgresUrlProblem } from '../store/postgres/postgresUrl.js';
import { SettingError } from './settingParsers.js';

const ACCEPTED = 'a SQLite file path, ":memory:", or postgres://user:password@host:5432/database (postgresql:// too)';

/** The scheme of a `scheme://…` value (letters, digits, `+`, `-`, `.` as in RFC 3986), or undefined for a path. */
export function urlScheme(text: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(text.trim())?.[1];
}

export function parseHistoryDb(text: string): string {
  if (text.trim() === '') throw new SettingError('must not be empty');
  if (isPostgresUrl(text)) {
    const problem = postgresUrlProblem(text);
    if (problem) throw new SettingError(problem);
    return text;
  }
  const scheme = urlScheme(text);
  // Only the scheme is shown: the rest of the value may hold a password.
  if (scheme !== undefined) throw new SettingError(`${scheme}:// is not a history store Pulltrace knows; give ${ACCEPTED}`);
  return text;
}
