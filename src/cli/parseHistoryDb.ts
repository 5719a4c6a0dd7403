// The `db` setting: a SQLite file path (or ":memory:"), or a postgres:// URL for a history shared
// by replicas. A URL is checked here so a typo stops the server at start with the reason.
import { isPostgresUrl, postgresUrlProblem } from '../store/postgres/postgresUrl.js';
import { SettingError } from './settingParsers.js';

export function parseHistoryDb(text: string): string {
  if (text.trim() === '') throw new SettingError('must not be empty');
  if (isPostgresUrl(text)) {
    const problem = postgresUrlProblem(text);
    if (problem) throw new SettingError(problem);
  }
  return text;
}
