import { z } from 'zod';

/**
 * The one module that reads process.env. Every port, host, credential and option of the platform is
 * parsed here with zod; command-line flags override environment variables, which override defaults.
 */

const port = z.coerce.number().int().min(0).max(65535);

export const DEFAULT_PORTS = { control: 4000, atomic: 4010, atelio: 4020, stitcher: 4030, transact: 4040 } as const;

export const DEFAULT_CREDENTIALS = {
  atomic: { apiKey: 'test-api-key', apiSecret: 'test-api-secret' },
  atelio: { identity: 'test-identity', authorization: 'test-authorization' },
} as const;

export const PlatformConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  seed: z.coerce.number().int().min(0).default(1),
  ports: z
    .object({
      control: port.default(DEFAULT_PORTS.control),
      atomic: port.default(DEFAULT_PORTS.atomic),
      atelio: port.default(DEFAULT_PORTS.atelio),
      stitcher: port.default(DEFAULT_PORTS.stitcher),
      /** The Transact stand-in, at the root of its own origin (docs/decisions/007). */
      transact: port.default(DEFAULT_PORTS.transact),
    })
    .prefault({}),
  /** One URL registered with both mocks at start-up for every event type. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  atomic: z
    .object({
      apiKey: z.string().min(1).default(DEFAULT_CREDENTIALS.atomic.apiKey),
      apiSecret: z.string().min(1).default(DEFAULT_CREDENTIALS.atomic.apiSecret),
    })
    .prefault({}),
  atelio: z
    .object({
      identity: z.string().min(1).default(DEFAULT_CREDENTIALS.atelio.identity),
      authorization: z.string().min(1).default(DEFAULT_CREDENTIALS.atelio.authorization),
    })
    .prefault({}),
  journalSize: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** Where `--state-file` saves the platform state on shutdown and restores it from on start. */
  stateFile: z.string().min(1).optional(),
  /** The reference stitcher's SQLite file; ':memory:' keeps it in memory. */
  stitcherDb: z.string().min(1).default(':memory:'),
  /** Max accepted request body, in bytes, for every server. */
  bodyLimitBytes: z.coerce.number().int().min(1024).default(1024 * 1024),
});

export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;
export type PlatformConfigInput = z.input<typeof PlatformConfigSchema>;

/** Environment variable names, documented in the README. */
export const ENV_VARS = {
  host: 'STITCH_HOST',
  seed: 'STITCH_SEED',
  controlPort: 'STITCH_CONTROL_PORT',
  atomicPort: 'STITCH_ATOMIC_PORT',
  atelioPort: 'STITCH_ATELIO_PORT',
  stitcherPort: 'STITCH_STITCHER_PORT',
  transactPort: 'STITCH_TRANSACT_PORT',
  webhookUrl: 'STITCH_WEBHOOK_URL',
  atomicApiKey: 'ATOMIC_API_KEY',
  atomicApiSecret: 'ATOMIC_API_SECRET',
  atelioIdentity: 'ATELIO_IDENTITY',
  atelioAuthorization: 'ATELIO_AUTHORIZATION',
  journalSize: 'STITCH_JOURNAL_SIZE',
  stateFile: 'STITCH_STATE_FILE',
  stitcherDb: 'STITCH_STITCHER_DB',
  bodyLimitBytes: 'STITCH_BODY_LIMIT_BYTES',
} as const;

type Env = Record<string, string | undefined>;

/** Returns process.env. Nothing else in the platform touches it. */
export const processEnv = (): Env => process.env;

function fromEnv(env: Env): PlatformConfigInput {
  const v = (name: string) => (env[name] === '' ? undefined : env[name]);
  const drop = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as T;
  return drop({
    host: v(ENV_VARS.host),
    seed: v(ENV_VARS.seed),
    webhookUrl: v(ENV_VARS.webhookUrl),
    journalSize: v(ENV_VARS.journalSize),
    stateFile: v(ENV_VARS.stateFile),
    stitcherDb: v(ENV_VARS.stitcherDb),
    bodyLimitBytes: v(ENV_VARS.bodyLimitBytes),
    ports: drop({
      control: v(ENV_VARS.controlPort),
      atomic: v(ENV_VARS.atomicPort),
      atelio: v(ENV_VARS.atelioPort),
      stitcher: v(ENV_VARS.stitcherPort),
      transact: v(ENV_VARS.transactPort),
    }),
    atomic: drop({ apiKey: v(ENV_VARS.atomicApiKey), apiSecret: v(ENV_VARS.atomicApiSecret) }),
    atelio: drop({ identity: v(ENV_VARS.atelioIdentity), authorization: v(ENV_VARS.atelioAuthorization) }),
  }) as PlatformConfigInput;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the platform configuration: defaults, then environment, then `overrides` (command-line
 * flags or a programmatic caller). Throws a ConfigError naming every bad setting.
 */
export function loadConfig(overrides: PlatformConfigInput = {}, env: Env = processEnv()): PlatformConfig {
  const merged = mergeDeep(fromEnv(env) as Record<string, unknown>, overrides as Record<string, unknown>);
  const result = PlatformConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
