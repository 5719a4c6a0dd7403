/**
 * "PLTR": marks a SQLite file as a Pulltrace history database (PRAGMA application_id) and keys the
 * PostgreSQL dialect's advisory locks, so both dialects share it.
 */
export const PULLTRACE_APPLICATION_ID = 0x504c5452;
