import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Delivery chaos: rules that make outgoing webhooks misbehave the way vendors' deliveries do in
 * production, so a receiver's idempotency and ordering can be tested on purpose.
 *
 * - `duplicate`: the same event again, `times` more times, each `delayMs` (platform clock) after the last.
 * - `reorder`: matching events are held for `windowMs` (platform clock), then released out of order.
 * - `delay`: the first attempt waits `delayMs` on the platform clock.
 * - `lost-ack`: the receiver's success answer is treated as a timeout, so the vendor's retry schedule
 *   runs and the receiver sees the event again.
 * - `drop`: the event is never sent to the target; the delivery log records it as dropped.
 *
 * Whether a rule touches a delivery is decided from a hash of the rule's seed, the event id and the
 * target id, never from a shared random stream: the same run (same event ids) is touched the same
 * way whatever else the platform is doing, and the order rules are evaluated in does not matter.
 */

export const CHAOS_KINDS = ['duplicate', 'reorder', 'delay', 'lost-ack', 'drop'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

const DAY_MS = 86_400_000;

export const ChaosRuleInputSchema = z
  .object({
    kind: z.enum(CHAOS_KINDS),
    /** Only this vendor's deliveries; any when absent. */
    vendor: z.enum(['atomic', 'atelio']).optional(),
    /** Only this event type (`transactions`, `task-status-updated`, ...); any when absent. */
    eventType: z.string().min(1).max(200).optional(),
    /** Only this target (Atomic endpoint id, Atelio subscription id); any when absent. */
    targetId: z.string().min(1).max(200).optional(),
    /** Only events about this user (Atomic `user.identifier`, Atelio `customer_id`); any when absent. */
    user: z.string().min(1).max(200).optional(),
    /** Chance that a matching delivery is touched (default 1), decided by a seeded hash. */
    probability: z.number().min(0).max(1).default(1),
    /** Touch only this many deliveries, then retire the rule. */
    count: z.number().int().min(1).max(1_000_000).optional(),
    /** Seed of the probability decision (default 0): another seed picks other deliveries. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** `duplicate`: extra copies per delivery (default 1). */
    times: z.number().int().min(1).max(10).optional(),
    /** `duplicate`: wait before each copy; `delay`: wait before the first attempt. Platform clock. */
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(3 * DAY_MS)
      .optional(),
    /** `reorder`: how long matching events are held before being released out of order (default 60 s). */
    windowMs: z.number().int().min(1).max(DAY_MS).optional(),
    /** Shown in the delivery log beside the rule id. */
    note: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.kind === 'delay' && rule.delayMs === undefined)
      ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'delayMs is required for kind "delay"' });
    const only: [keyof typeof rule, ChaosKind[]][] = [
      ['times', ['duplicate']],
      ['delayMs', ['duplicate', 'delay']],
      ['windowMs', ['reorder']],
    ];
    for (const [field, kinds] of only)
      if (rule[field] !== undefined && !kinds.includes(rule.kind))
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `${field} applies to kind ${kinds.map((k) => `"${k}"`).join(' or ')} only`,
        });
  });

export type ChaosRuleInput = z.input<typeof ChaosRuleInputSchema>;
export type ChaosRule = z.output<typeof ChaosRuleInputSchema> & {
  id: string;
  /** How many more deliveries it will touch; undefined means unlimited. */
  remaining: number | undefined;
  /** Deliveries touched so far. */
  hits: number;
  /** Who added it: the control API, or the scenario run whose steps or options did. */
  source?: string;
};

/** What the delivery log keeps about a rule that touched a delivery. */
export interface ChaosMark {
  ruleId: string;
  kind: ChaosKind;
  note?: string;
}

export interface ChaosSubject {
  vendor: 'atomic' | 'atelio';
  eventType: string;
  targetId: string;
  user: string | undefined;
  eventId: string;
}

export const DEFAULT_REORDER_WINDOW_MS = 60_000;

/**
 * The rule table. Rules are matched in the order they were added; each delivery gets at most one
 * rule of each kind. A counted rule retires after its last use.
 */
export class ChaosRules {
  private rules: ChaosRule[] = [];
  private nextId = 1;

  /** Validates and adds a rule; throws a ZodError for a bad one. */
  add(input: ChaosRuleInput, source?: string): ChaosRule {
    const parsed = ChaosRuleInputSchema.parse(input);
    const rule: ChaosRule = {
      ...parsed,
      id: `chaos_${this.nextId++}`,
      remaining: parsed.count,
      hits: 0,
      ...(source === undefined ? {} : { source }),
    };
    this.rules.push(rule);
    return { ...rule };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  /** Removes every rule, or only those a source added. */
  clear(source?: string): void {
    this.rules = source === undefined ? [] : this.rules.filter((rule) => rule.source !== source);
  }

  list(): ChaosRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rules that touch this delivery (at most one per kind). Taking one uses up one count. */
  take(subject: ChaosSubject): ChaosRule[] {
    if (this.rules.length === 0) return [];
    const taken: ChaosRule[] = [];
    const kinds = new Set<ChaosKind>();
    for (const rule of this.rules) {
      if (kinds.has(rule.kind) || !matches(rule, subject)) continue;
      if (rule.probability < 1 && draw(rule.seed, subject) >= rule.probability) continue;
      kinds.add(rule.kind);
      rule.hits++;
      if (rule.remaining !== undefined) rule.remaining--;
      taken.push({ ...rule });
    }
    if (taken.some((rule) => rule.remaining === 0))
      this.rules = this.rules.filter((rule) => rule.remaining !== 0);
    return taken;
  }
}

function matches(rule: ChaosRule, subject: ChaosSubject): boolean {
  return (
    (rule.vendor === undefined || rule.vendor === subject.vendor) &&
    (rule.eventType === undefined || rule.eventType === subject.eventType) &&
    (rule.targetId === undefined || rule.targetId === subject.targetId) &&
    (rule.user === undefined || rule.user === subject.user)
  );
}

/** A number in [0, 1) that depends only on the seed, the event and the target. */
export function draw(seed: number, subject: Pick<ChaosSubject, 'eventId' | 'targetId'>): number {
  const digest = createHash('sha256')
    .update(`${seed}\u0000${subject.eventId}\u0000${subject.targetId}`)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Parses the CLI's `--chaos kind[:probability]` shorthand, e.g. `duplicate:0.2`, `drop`, `delay:1:30000`. */
export function parseChaosShorthand(text: string): ChaosRuleInput {
  const [kind, probability, extra] = text.split(':');
  if (!(CHAOS_KINDS as readonly string[]).includes(kind ?? ''))
    throw new Error(`--chaos ${text}: the kind must be one of ${CHAOS_KINDS.join(', ')}`);
  const rule: Record<string, unknown> = { kind };
  if (probability !== undefined && probability !== '') {
    const p = Number(probability);
    if (!(p >= 0 && p <= 1)) throw new Error(`--chaos ${text}: the probability must be between 0 and 1`);
    rule['probability'] = p;
  }
  if (extra !== undefined) {
    const ms = Number(extra);
    if (!Number.isInteger(ms) || ms < 0)
      throw new Error(`--chaos ${text}: the third part must be milliseconds`);
    rule[kind === 'reorder' ? 'windowMs' : 'delayMs'] = ms;
  }
  if (kind === 'delay' && rule['delayMs'] === undefined) rule['delayMs'] = 60_000;
  return rule as ChaosRuleInput;
}
