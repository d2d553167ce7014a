import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseAtelioSignatureHeader, signAtomic, verifyAtelio, verifyAtomic } from '../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from './support/capture-receiver';
import { RecordingError, readRecording, replayRecording } from '../scenarios';
import { ATOMIC_API_SECRET, createScenarioPlatform, type ScenarioPlatform } from '../scenarios/testing';

/** A run recorded to NDJSON, then sent again to another receiver: same bytes, re-signed where timed. */

const dir = mkdtempSync(join(tmpdir(), 'scenario-recordings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function platform(
  options: Parameters<typeof createScenarioPlatform>[0] = {},
): Promise<ScenarioPlatform> {
  const created = await createScenarioPlatform(options);
  cleanup.push(() => created.close());
  return created;
}

async function receiver(): Promise<CaptureReceiver> {
  const started = await startCaptureReceiver();
  cleanup.push(() => started.close());
  return started;
}

const REPLAY_NOW = Date.parse('2026-01-15T12:00:00Z');

describe('recording', () => {
  it('writes every delivery attempt of the run with its headers, raw body and virtual time', async () => {
    const p = await platform();
    const file = join(dir, 'stitching.ndjson');
    const view = await p.runner.start('amazon-order-stitching', {
      seed: 2,
      identifier: 'cust-rec',
      startTime: '2025-04-01T08:00:00Z',
      record: file,
    }).done;
    expect(view.recording).toEqual({ file, attempts: view.webhookCount });

    const recording = readRecording(file);
    expect(recording.header).toMatchObject({ scenario: 'amazon-order-stitching', runId: view.id });
    expect(recording.end).toEqual({
      type: 'end',
      status: 'completed',
      events: view.webhookCount,
      attempts: view.webhookCount,
    });
    expect([...recording.targets.values()].map((t) => [t.vendor, t.kind, t.secret])).toEqual([
      ['atelio', 'subscription', p.atelioSecret],
      ['atomic', 'endpoint', ATOMIC_API_SECRET],
    ]);
    const received = new Map(p.receiver!.requests.map((r) => [r.raw.toString('utf8'), r]));
    for (const attempt of recording.attempts) {
      const request = received.get(attempt.body);
      expect(request, `${attempt.eventType} ${attempt.eventId}`).toBeDefined();
      expect(attempt.timeMs).toBeGreaterThanOrEqual(Date.parse('2025-04-01T08:00:00Z'));
      if (attempt.vendor === 'atomic') expect(attempt.headers['ce-id']).toBe(request!.headers['ce-id']);
      else expect(attempt.headers['Bond-Signature']).toBe(request!.headers['bond-signature']);
    }
  });

  it('warns when the engine was created without the run recorder', async () => {
    const p = await platform({ recorder: false });
    const file = join(dir, 'unwired.ndjson');
    const view = await p.runner.start('multi-settlement', { identifier: 'cust-unwired', record: file }).done;
    expect(view.recording?.attempts).toBe(0);
    expect(view.recording?.warning).toMatch(/recorder: recordAttemptInRunContext/);
  });
});

describe('replayRecording', () => {
  it('re-sends each event byte for byte, keeping Atomic signatures and re-signing Atelio at the time of sending', async () => {
    const p = await platform();
    const file = join(dir, 'replay.ndjson');
    const view = await p.runner.start('missing-payment-method', { identifier: 'cust-replay', record: file })
      .done;
    const target = await receiver();

    const result = await replayRecording(file, {
      to: { atomic: `${target.url}/hooks/atomic`, atelio: `${target.url}/hooks/atelio` },
      now: () => REPLAY_NOW,
    });

    expect(result).toMatchObject({ sent: view.webhookCount, ok: view.webhookCount, failed: 0, skipped: 0 });
    const recorded = readRecording(file).attempts;
    expect(target.requests.map((r) => r.raw.toString('utf8'))).toEqual(recorded.map((a) => a.body));
    for (const [i, request] of target.requests.entries()) {
      const attempt = recorded[i]!;
      if (attempt.vendor === 'atomic') {
        expect(request.path).toBe('/hooks/atomic');
        expect(request.headers['x-hmac-signature-sha-256']).toBe(attempt.headers['X-HMAC-Signature-Sha-256']);
        expect(
          verifyAtomic(request.raw, ATOMIC_API_SECRET, String(request.headers['x-hmac-signature-sha-256'])),
        ).toBe(true);
        expect(request.headers['ce-id']).toBe(attempt.eventId);
      } else {
        expect(request.path).toBe('/hooks/atelio');
        const header = String(request.headers['bond-signature']);
        expect(parseAtelioSignatureHeader(header)?.timestamp).toBe(REPLAY_NOW / 1000);
        expect(verifyAtelio(request.raw, p.atelioSecret!, header, { nowSeconds: REPLAY_NOW / 1000 }).ok).toBe(
          true,
        );
      }
    }
  });

  it('signs with given secrets, sends to one URL, and can send one vendor only', async () => {
    const p = await platform();
    const file = join(dir, 'secrets.ndjson');
    await p.runner.start('amazon-order-stitching', { identifier: 'cust-secrets', record: file }).done;
    const target = await receiver();

    const atelioOnly = await replayRecording(file, {
      to: { atelio: `${target.url}/only` },
      secrets: { atelio: 'whsec_other' },
      now: () => REPLAY_NOW,
    });
    const atomicCount = readRecording(file).attempts.filter((a) => a.vendor === 'atomic').length;
    expect(atelioOnly.skipped).toBe(atomicCount);
    for (const request of target.requests)
      expect(
        verifyAtelio(request.raw, 'whsec_other', String(request.headers['bond-signature']), {
          nowSeconds: REPLAY_NOW / 1000,
        }).ok,
      ).toBe(true);

    const before = target.requests.length;
    await replayRecording(file, {
      to: `${target.url}/all`,
      secrets: { atomic: 'another-key', atelio: 'whsec_other' },
    });
    const atomicRequests = target.requests.slice(before).filter((r) => r.headers['ce-id'] !== undefined);
    expect(atomicRequests).toHaveLength(atomicCount);
    for (const request of atomicRequests)
      expect(request.headers['x-hmac-signature-sha-256']).toBe(signAtomic(request.raw, 'another-key'));
  });

  it('sends each event once by default, or every recorded attempt with attempts: all', async () => {
    const p = await platform();
    let calls = 0;
    p.receiver!.setReply(() => (++calls === 1 ? { status: 500 } : { status: 200 }));
    const file = join(dir, 'retries.ndjson');
    const view = await p.runner.start('multi-settlement', { identifier: 'cust-retry', record: file }).done;
    expect(view.recording?.attempts).toBe(view.webhookCount + 1);
    const target = await receiver();

    expect((await replayRecording(file, { to: target.url })).sent).toBe(view.webhookCount);
    expect((await replayRecording(file, { to: target.url, attempts: 'all' })).sent).toBe(
      view.webhookCount + 1,
    );
  });

  it('reports unreachable receivers per event and bad files by line', async () => {
    const p = await platform();
    const file = join(dir, 'down.ndjson');
    await p.runner.start('multi-settlement', { identifier: 'cust-down', record: file }).done;
    const target = await receiver();
    await target.goDown();
    const result = await replayRecording(file, { to: target.url });
    expect(result.failed).toBe(3);
    expect(result.results[0]!.error).toBe('ECONNREFUSED');

    const broken = join(dir, 'broken.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(broken, [lines[0], lines[1], '{"type":"attempt","vendor":"atelio"}'].join('\n'));
    await expect(replayRecording(broken, { to: target.url })).rejects.toThrow(RecordingError);
    await expect(replayRecording(broken, { to: target.url })).rejects.toThrow(
      /broken\.ndjson line 3: eventId/,
    );
  });
});
