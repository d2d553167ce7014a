import { z } from 'zod';
import { ConfigError } from './config-error';

/**
 * The one module that reads process.env. Every port, host, credential and option of the platform is
 * parsed here with zod; command-line flags override environment variables, which override defaults.
 */

const port = z.coerce.number().int().min(0).max(65535);

export const DEFAULT_PORTS = {
  control: 4000,
  atomic: 4010,
  atelio: 4020,
  stitcher: 4030,
  transact: 4040,
} as const;

export const DEFAULT_CREDENTIALS = {
  atomic: { apiKey: 'test-api-key', apiSecret: 'test-api-secret' },
  atelio: { identity: 'test-identity', authorization: 'test-authorization' },
} as const;

/** Tokens are compared in constant time; short ones are guessable, so 16 characters at least. */
const token = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A list flag (repeatable) or a comma-separated environment variable. */
const hostList = z
  .preprocess(
    (value) => (typeof value === 'string' ? value.split(',') : value),
    z.array(z.string().trim().min(1).toLowerCase()),
  )
  .default([]);

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1d`, `12h`, `90m`, `30s`, or a number of milliseconds. */
const duration = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(value);
    return match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 'ms']! : value;
  },
  z.number({ error: 'must be a duration such as 1d, 12h, 90m or a number of milliseconds' }).int(),
);

/** `HH:MM` (UTC) as milliseconds after midnight. */
const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a UTC time of day as HH:MM')
  .transform((value) => (Number(value.slice(0, 2)) * 60 + Number(value.slice(3))) * 60_000);

/** `on` / `off` (also true/false, 1/0, yes/no). */
const onOff = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(word)) return true;
    if (['off', 'false', '0', 'no'].includes(word)) return false;
    return value;
  },
  z.boolean({ error: 'must be on or off' }),
);

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
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /**
   * Bearer token for the control API and the dashboard (admin: everything). Required beyond
   * loopback: generated at start when not given. On loopback it is enforced only when set.
   */
  controlToken: token.optional(),
  /** Read-only token: the dashboard and the read routes, never reset, faults, imports or secrets. */
  viewerToken: token.optional(),
  /** More names the control plane answers to (Host header), besides loopback and the bind address. */
  allowedHosts: hostList,
  /**
   * Webhook targets allowed when the platform is exposed (`host` or `host:port`); on loopback the
   * list, when given, is added to loopback. The platform's own receivers are always allowed.
   */
  allowWebhookHosts: hostList,
  /** Folders of scenario files offered by name, after the shipped library. */
  scenarioDirs: z.array(z.string().min(1)).default([]),
  /** Open connections per server; past it idle ones are closed first, then new ones refused. */
  maxConnections: z.coerce.number().int().min(16).max(1_000_000).default(1024),
  /** Live dashboard streams (`GET /api/events`) open at once. */
  maxLiveSubscribers: z.coerce.number().int().min(1).max(100_000).default(64),
  /** Where recordings of runs started over HTTP go (a private folder); default in the OS temp dir. */
  recordingsDir: z.string().min(1).optional(),
  /** Recordings older than this are deleted (they are also deleted on reset). */
  recordingRetentionMs: z.coerce
    .number()
    .int()
    .min(1000)
    .default(24 * 3_600_000),
  /**
   * Continuous access: every connected Order Monitoring account is refreshed on the platform clock
   * (vendor-docs 000: daily). `every` is the cadence, `at` the UTC time of day of the slots,
   * `failureRate` the share of refreshes that fail with a seeded reason (0: only when asked).
   */
  refreshes: z
    .object({
      enabled: onOff.default(true),
      every: duration
        .pipe(
          z
            .number()
            .min(60_000, 'must be at least 1m')
            .max(31 * 86_400_000, 'must be at most 31d'),
        )
        .default(86_400_000),
      at: timeOfDay.prefault('06:00'),
      failureRate: z.coerce.number().min(0).max(1).default(0),
    })
    .prefault({}),
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
  controlToken: 'STITCH_CONTROL_TOKEN',
  viewerToken: 'STITCH_VIEWER_TOKEN',
  /** Comma-separated. */
  allowedHosts: 'STITCH_ALLOWED_HOSTS',
  /** Comma-separated. */
  allowWebhookHosts: 'STITCH_ALLOW_WEBHOOK_HOSTS',
  /** Separated like PATH (`:`). */
  scenarioDirs: 'STITCH_SCENARIOS',
  maxConnections: 'STITCH_MAX_CONNECTIONS',
  recordingsDir: 'STITCH_RECORDINGS_DIR',
  /** `on` or `off`. */
  refreshes: 'STITCH_REFRESHES',
  refreshEvery: 'STITCH_REFRESH_EVERY',
  refreshAt: 'STITCH_REFRESH_AT',
  refreshFailureRate: 'STITCH_REFRESH_FAILURE_RATE',
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
    controlToken: v(ENV_VARS.controlToken),
    viewerToken: v(ENV_VARS.viewerToken),
    allowedHosts: v(ENV_VARS.allowedHosts),
    allowWebhookHosts: v(ENV_VARS.allowWebhookHosts),
    scenarioDirs: v(ENV_VARS.scenarioDirs)?.split(':').filter(Boolean),
    maxConnections: v(ENV_VARS.maxConnections),
    recordingsDir: v(ENV_VARS.recordingsDir),
    ports: drop({
      control: v(ENV_VARS.controlPort),
      atomic: v(ENV_VARS.atomicPort),
      atelio: v(ENV_VARS.atelioPort),
      stitcher: v(ENV_VARS.stitcherPort),
      transact: v(ENV_VARS.transactPort),
    }),
    atomic: drop({ apiKey: v(ENV_VARS.atomicApiKey), apiSecret: v(ENV_VARS.atomicApiSecret) }),
    atelio: drop({ identity: v(ENV_VARS.atelioIdentity), authorization: v(ENV_VARS.atelioAuthorization) }),
    refreshes: drop({
      enabled: v(ENV_VARS.refreshes),
      every: v(ENV_VARS.refreshEvery),
      at: v(ENV_VARS.refreshAt),
      failureRate: v(ENV_VARS.refreshFailureRate),
    }),
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

// In its own module, so that the command line can recognise it without loading the schemas.
export { ConfigError };

/**
 * Builds the platform configuration: defaults, then environment, then `overrides` (command-line
 * flags or a programmatic caller). Throws a ConfigError naming every bad setting.
 */
export function loadConfig(overrides: PlatformConfigInput = {}, env: Env = processEnv()): PlatformConfig {
  const merged = mergeDeep(fromEnv(env) as Record<string, unknown>, overrides as Record<string, unknown>);
  const result = PlatformConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
