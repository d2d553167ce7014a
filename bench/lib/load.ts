import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAvgMs: number;
  requests: number;
  /** Response bytes (headers + body) per request, to check that peers served the same payload. */
  bytesPerRequest: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface LoadOptions {
  label: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSec?: number;
  /** Several request shapes to rotate through (mixed-endpoint load). */
  requests?: { method?: string; path: string; headers?: Record<string, string>; body?: string }[];
}

/** Runs autocannon against a URL and returns the figures the benchmarks report. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.requests ? { requests: options.requests as autocannon.Request[] } : {}),
    connections: options.connections ?? 50,
    duration: options.durationSec ?? 5,
  });
  return {
    label: options.label,
    requestsPerSec: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAvgMs: result.latency.average,
    requests: result.requests.total,
    bytesPerRequest: result.requests.total ? Math.round(result.throughput.total / result.requests.total) : 0,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}
