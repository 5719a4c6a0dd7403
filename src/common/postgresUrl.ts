// Telling a PostgreSQL connection string from a SQLite path, and showing it without its password.
import { maskUrlSecrets } from './maskUrlSecrets.js';

/** `postgres://…` or `postgresql://…` (the two schemes libpq accepts). */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * The URL for logs and errors: userinfo and the `password`, `sslpassword` and `sslkey` parameters
 * replaced by `***`; unparsable text shown as its scheme only.
 */
export function redactPostgresUrl(db: string): string {
  return maskUrlSecrets(db);
}

/** Why `db` is not a usable PostgreSQL URL, or undefined when it is. */
export function postgresUrlProblem(db: string): string | undefined {
  let url: URL;
  try {
    url = new URL(db);
  } catch {
    return `${redactPostgresUrl(db)} is not a valid URL (expected postgres://user:password@host:5432/database)`;
  }
  if (!url.hostname) return `${redactPostgresUrl(db)} names no host (expected postgres://user:password@host:5432/database)`;
  return undefined;
}
