import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';

/**
 * Fault injection: make a mock slow, make it answer 429/5xx, or drop the connection, for one vendor
 * or route, every time, with a probability, or a fixed number of times. This is how a bank tests
 * its retry and back-off code against a vendor having a bad day.
 */

export const FAULT_VENDORS = ['atomic', 'atelio'] as const;
export type FaultVendor = (typeof FAULT_VENDORS)[number];

export const FaultRuleInputSchema = z
  .object({
    vendor: z.enum([...FAULT_VENDORS, '*']).default('*'),
    /** HTTP method to match; any when absent. */
    method: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .transform((m) => m.toUpperCase())
      .optional(),
    /** Path to match: exact, a prefix ending in `/`, or a glob with `*` (any characters). Any when absent. */
    path: z.string().startsWith('/').max(500).optional(),
    kind: z.enum(['latency', 'status', 'drop']),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    /** Seconds for the Retry-After header on a 429 (default 1). */
    retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    message: z.string().max(500).optional(),
    /** Chance that a matching request is affected (default 1). */
    probability: z.number().min(0).max(1).default(1),
    /** Affect only this many matching requests, then retire the rule. */
    count: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.kind === 'latency' && rule.latencyMs === undefined)
      ctx.addIssue({ code: 'custom', path: ['latencyMs'], message: 'latencyMs is required for kind "latency"' });
    if (rule.kind === 'status' && rule.status === undefined)
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'status is required for kind "status"' });
  });

export type FaultRuleInput = z.input<typeof FaultRuleInputSchema>;
export type FaultRule = z.output<typeof FaultRuleInputSchema> & {
  id: string;
  /** How many more requests it will affect; undefined means unlimited. */
  remaining: number | undefined;
  /** How many requests it has affected so far. */
  hits: number;
};

function pathMatcher(pattern: string | undefined): (path: string) => boolean {
  if (pattern === undefined) return () => true;
  if (pattern.includes('*')) {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    const regex = new RegExp(`^${escaped}$`);
    return (path) => regex.test(path);
  }
  if (pattern.endsWith('/')) return (path) => path.startsWith(pattern);
  return (path) => path === pattern;
}

export class FaultInjector {
  private rules: { rule: FaultRule; matches: (path: string) => boolean }[] = [];
  private nextId = 1;

  /** `random` decides probabilistic faults; pass a seeded one for reproducible runs. */
  constructor(private readonly random: () => number = Math.random) {}

  /** Validates and adds a rule; throws a ZodError for a bad one. */
  add(input: FaultRuleInput): FaultRule {
    const parsed = FaultRuleInputSchema.parse(input);
    const rule: FaultRule = { ...parsed, id: `fault_${this.nextId++}`, remaining: parsed.count, hits: 0 };
    this.rules.push({ rule, matches: pathMatcher(rule.path) });
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter(({ rule }) => rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule, or only those for one vendor. */
  clear(vendor?: FaultVendor): void {
    this.rules = vendor ? this.rules.filter(({ rule }) => rule.vendor !== vendor && rule.vendor !== '*') : [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ rule }) => ({ ...rule }));
  }

  /**
   * The rules that fire for this request, in the order they were added. Firing consumes one use of
   * a counted rule; a rule with no uses left is retired.
   */
  take(vendor: FaultVendor, method: string, path: string): FaultRule[] {
    if (this.rules.length === 0) return [];
    const fired: FaultRule[] = [];
    for (const { rule, matches } of this.rules) {
      if (rule.vendor !== '*' && rule.vendor !== vendor) continue;
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (!matches(path)) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      rule.hits++;
      fired.push({ ...rule });
    }
    this.rules = this.rules.filter(({ rule }) => rule.remaining === undefined || rule.remaining > 0);
    return fired;
  }
}

export type FaultResponder = (c: Context, status: number, message: string, retryAfterSeconds?: number) => Response;

interface NodeBindings {
  incoming?: { socket?: { destroy(): void } };
}

const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies matching faults before the route runs. Latency is real time on purpose: it models a slow
 * network, which a client measures with its own wall clock. A status fault answers in the vendor's
 * own error envelope through `respond`; a drop destroys the socket so the client sees a reset.
 */
export function faultMiddleware(
  faults: FaultInjector,
  vendor: FaultVendor,
  respond: FaultResponder,
): MiddlewareHandler {
  return async (c, next) => {
    const fired = faults.take(vendor, c.req.method, c.req.path);
    for (const rule of fired) {
      if (rule.kind === 'latency') {
        await realDelay(rule.latencyMs ?? 0);
      } else if (rule.kind === 'status') {
        const status = rule.status ?? 500;
        const retryAfter = status === 429 ? (rule.retryAfterSeconds ?? 1) : rule.retryAfterSeconds;
        const message = rule.message ?? (status === 429 ? 'Too many requests, please try again later.' : 'Injected fault');
        const response = respond(c, status, message, retryAfter);
        if (retryAfter !== undefined) response.headers.set('Retry-After', String(retryAfter));
        return response;
      } else {
        const socket = (c.env as NodeBindings | undefined)?.incoming?.socket;
        if (socket) {
          socket.destroy();
          // The socket is gone; this response is never written.
          return new Response(null, { status: 500 });
        }
        // In-process requests (app.request) have no socket: answer with a network-error response.
        return Response.error();
      }
    }
    await next();
  };
}
