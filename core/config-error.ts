/** A setting that is missing or invalid; its message names every bad setting (config.ts). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
