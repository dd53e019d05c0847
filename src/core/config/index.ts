export type {
  BackupConfig,
  Config,
  DatabaseConfig,
  PgliteConfig,
  PostgresConfig,
  ReplicaConfig,
} from './config.js';
export { describeDatabase } from './config.js';
export { type LoadConfigOptions, loadConfig } from './load-config.js';
