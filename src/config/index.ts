// Settings: the one table (variable, flag, default, parser, help), the parsers, and the types the
// server and the agent are started with. Pure: the command line (src/cli) and the daemons import it.
export { parseByteRate } from './byteRate.js';
export { nodeNameFromHostname } from './nodeNameFromHostname.js';
export { busUrlHasCredentials, parseBusUrl } from './parseBusUrl.js';
export { parseCidrList } from './parseCidrList.js';
export { parseClusterName } from './parseClusterName.js';
export { parseHistoryDb } from './parseHistoryDb.js';
export { parseHostNameList } from './parseHostNameList.js';
export { type ListenAddress, parseDurationSetting, type ServiceAccountRef, SettingError } from './settingParsers.js';
export { maskSecrets, secretsOf } from './settingSecrets.js';
export {
  type AgentAuthMode,
  type AgentSettings,
  type CommandName,
  defaultDbPath,
  defaultFor,
  type KubernetesMode,
  type LogFormatSetting,
  type LogLevel,
  resolveSettings,
  SETTINGS,
  type ServerSettings,
  type SettingKey,
  type SettingSpec,
  type StandaloneSettings,
  settingsFor,
} from './settings.js';
