import { z } from 'zod';

/**
 * What Atomic's browser SDK puts in the iframe's URL: `/initialize/<btoa(JSON.stringify(config))>`.
 * `btoa` takes Latin-1, so the bytes decode as Latin-1; standard base64 may contain `/`, so the
 * value can span several path segments. Fields Transact does not need are kept as they came.
 */

const HubApp = z.enum(['expenses', 'suggestions', 'orders', 'pay-now']);
export type HubApp = z.infer<typeof HubApp>;
export const HUB_APPS = HubApp.options;

const TaskSchema = z.looseObject({
  operation: z.string().max(100).optional(),
  product: z.string().max(100).optional(),
  apps: z.array(HubApp).max(HUB_APPS.length).optional(),
});

export const LaunchConfigSchema = z.looseObject({
  /** Only in configs of SDKs before 3.1; newer ones hand it over by postMessage (`deferPublicToken`). */
  publicToken: z.string().min(1).max(512).optional(),
  deferPublicToken: z.boolean().optional(),
  inSdk: z.boolean().optional(),
  product: z.string().max(100).optional(),
  operation: z.string().max(100).optional(),
  scope: z.string().max(100).optional(),
  tasks: z.array(TaskSchema).max(20).optional(),
  deeplink: z
    .looseObject({
      step: z.string().max(100).optional(),
      companyId: z.string().max(100).optional(),
      app: HubApp.optional(),
    })
    .optional(),
  theme: z
    .looseObject({
      brandColor: z.string().max(100).optional(),
      dark: z.boolean().optional(),
    })
    .optional(),
  customer: z.looseObject({ name: z.string().max(200).optional() }).optional(),
  handoff: z.array(z.string().max(100)).max(10).optional(),
  platform: z
    .looseObject({ name: z.string().max(100).optional(), sdkVersion: z.string().max(100).optional() })
    .optional(),
});

export type LaunchConfig = z.infer<typeof LaunchConfigSchema>;

/** The two flows this stand-in plays; anything else is refused with a page that says so. */
export type TransactFlow = { kind: 'order-monitoring' } | { kind: 'payments-hub'; apps: HubApp[] };

export type DecodedLaunch =
  { ok: true; config: LaunchConfig; flow: TransactFlow } | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Far above any real config; a longer path is not one. */
const MAX_ENCODED_LENGTH = 16_384;

/** Which flow a config asks for (vendor-docs 000 and 004). */
export function flowOf(config: LaunchConfig): TransactFlow | string {
  const manage = config.tasks?.find((t) => t.operation === 'manage');
  if (config.scope === 'pay-link' && manage)
    return { kind: 'payments-hub', apps: manage.apps ?? [...HUB_APPS] };
  const present =
    config.product === 'present' ||
    config.operation === 'present' ||
    (config.tasks ?? []).some((t) => t.operation === 'present' || t.product === 'present');
  if (present) return { kind: 'order-monitoring' };
  const asked =
    config.product ??
    config.operation ??
    config.tasks?.map((t) => t.operation ?? t.product).join(', ') ??
    'nothing';
  return (
    `this Transact stand-in plays Order Monitoring (product: 'present' or tasks: [{operation: 'present'}]) and ` +
    `the Payments Hub (scope: 'pay-link' with tasks: [{operation: 'manage', apps: [...]}]); the config asks for ${asked}`
  );
}

/**
 * The part of a request path after `/initialize/`. A trailing-slash override makes it
 * `//initialize/...` and an override with a path `/<path>/initialize/...`: both still get the app,
 * so it can say what is wrong with the override.
 */
export function encodedConfigOf(pathname: string): string | undefined {
  const match = /^\/(?:.*?\/)?initialize\/(.*)$/s.exec(pathname);
  return match?.[1];
}

/** Decodes and checks the config in an `/initialize/...` path; a reason in plain words when it is not one. */
export function decodeLaunch(encodedPath: string): DecodedLaunch {
  let encoded: string;
  try {
    encoded = decodeURIComponent(encodedPath);
  } catch {
    return { ok: false, reason: 'the path is not valid percent-encoding' };
  }
  if (encoded === '') return { ok: false, reason: 'nothing follows /initialize/' };
  if (encoded.length > MAX_ENCODED_LENGTH)
    return { ok: false, reason: `the encoded config is longer than ${MAX_ENCODED_LENGTH} characters` };
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0)
    return { ok: false, reason: 'what follows /initialize/ is not standard base64 (as btoa writes it)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('latin1'));
  } catch {
    return { ok: false, reason: 'the base64 does not hold JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'the JSON is not an object' };
  const result = LaunchConfigSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    return { ok: false, reason: `the config does not fit: ${problems.join('; ')}` };
  }
  const flow = flowOf(result.data);
  if (typeof flow === 'string') return { ok: false, reason: flow };
  return { ok: true, config: result.data, flow };
}

/** What an SDK would put in the URL for `config` (tests and the dashboard's demo use it). */
export const encodeLaunch = (config: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(config), 'latin1').toString('base64');
