/**
 * Waits until a running platform has no webhook delivery pending and the reference stitcher has
 * dealt with everything it accepted (nothing pending or retrying in its inbox): the moment a
 * suite can count what was delivered. Resolves with how long that took; throws after `timeoutMs`.
 */
export async function webhooksSettled(
  urls: { control: string; stitcher: string },
  timeoutMs = 300_000,
): Promise<{ ms: number }> {
  const began = performance.now();
  const read = async <T>(url: string): Promise<T> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  for (;;) {
    const pending = await read<{ deliveries: unknown[] }>(
      `${urls.control}/api/deliveries?status=pending&limit=1`,
    );
    const inbox = await read<{ counts: Record<string, number> }>(`${urls.stitcher}/inbox?limit=1`);
    if (
      pending.deliveries.length === 0 &&
      (inbox.counts['pending'] ?? 0) + (inbox.counts['retrying'] ?? 0) === 0
    )
      return { ms: performance.now() - began };
    if (performance.now() - began > timeoutMs)
      throw new Error(`webhooks still pending ${Math.round(timeoutMs / 1000)} s later`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
