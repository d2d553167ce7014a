import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { ChaosRules } from './chaos';
import {
  DEFAULT_BREAKER_COOL_DOWN_MS,
  DEFAULT_BREAKER_FAILURE_THRESHOLD,
  DEFAULT_CONCURRENCY_PER_TARGET,
  DEFAULT_LOG_CAPACITY,
  DEFAULT_MAX_BACKLOG_PER_TARGET,
  DEFAULT_SLOW_TARGET_AFTER_MS,
  type CircuitBreakerOptions,
  type DeliveryEngineOptions,
  type DeliveryRecording,
} from './engine-api';

/** The engine's options with every default filled in, checked once at construction. */
export interface EngineSettings {
  clock: Clock;
  logCapacity: number;
  concurrency: number;
  /** Per-attempt timeout for every vendor; undefined: each vendor's own. */
  timeoutOverride: number | undefined;
  fetch: typeof globalThis.fetch;
  createId: () => string;
  recorder: ((recording: DeliveryRecording) => void) | undefined;
  signingClock: () => number;
  slowAfterMs: number;
  maxBacklog: number;
  /** Undefined when the circuit breaker is off. */
  breaker: Required<CircuitBreakerOptions> | undefined;
  chaos: ChaosRules;
}

export function engineSettings(options: DeliveryEngineOptions): EngineSettings {
  const concurrency = options.concurrencyPerTarget ?? DEFAULT_CONCURRENCY_PER_TARGET;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrencyPerTarget must be an integer >= 1, got ${concurrency}`);
  }
  const timeoutOverride = options.timeoutMs;
  if (timeoutOverride !== undefined && !(timeoutOverride > 0)) {
    throw new RangeError(`timeoutMs must be > 0, got ${timeoutOverride}`);
  }
  const slowAfterMs = options.slowTargetAfterMs ?? DEFAULT_SLOW_TARGET_AFTER_MS;
  if (!(slowAfterMs > 0)) throw new RangeError(`slowTargetAfterMs must be > 0, got ${slowAfterMs}`);
  const maxBacklog = options.maxBacklogPerTarget ?? DEFAULT_MAX_BACKLOG_PER_TARGET;
  if (!Number.isInteger(maxBacklog) || maxBacklog < 1) {
    throw new RangeError(`maxBacklogPerTarget must be an integer >= 1, got ${maxBacklog}`);
  }
  const breaker: Required<CircuitBreakerOptions> | undefined =
    options.circuitBreaker === false
      ? undefined
      : {
          failureThreshold: options.circuitBreaker?.failureThreshold ?? DEFAULT_BREAKER_FAILURE_THRESHOLD,
          coolDownMs: options.circuitBreaker?.coolDownMs ?? DEFAULT_BREAKER_COOL_DOWN_MS,
        };
  if (breaker && !(Number.isInteger(breaker.failureThreshold) && breaker.failureThreshold >= 1)) {
    throw new RangeError(`circuitBreaker.failureThreshold must be an integer >= 1`);
  }
  return {
    clock: options.clock,
    logCapacity: options.log?.capacity ?? DEFAULT_LOG_CAPACITY,
    concurrency,
    timeoutOverride,
    fetch: options.fetch ?? globalThis.fetch,
    createId: options.createId ?? randomUUID,
    recorder: options.recorder,
    signingClock: options.signingClock ?? Date.now,
    slowAfterMs,
    maxBacklog,
    breaker,
    chaos: options.chaos ?? new ChaosRules(),
  };
}
