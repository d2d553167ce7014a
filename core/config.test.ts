import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({}, {});
    expect(config.host).toBe('127.0.0.1');
    expect(config.ports).toEqual({ control: 4000, atomic: 4010, atelio: 4020, stitcher: 4030, transact: 4040 });
    expect(config.atomic).toEqual({ apiKey: 'test-api-key', apiSecret: 'test-api-secret' });
    expect(config.atelio).toEqual({ identity: 'test-identity', authorization: 'test-authorization' });
  });

  it('lets flags override the environment, which overrides defaults', () => {
    const config = loadConfig({ ports: { atomic: 0 } }, { STITCH_ATOMIC_PORT: '5010', STITCH_ATELIO_PORT: '5020', STITCH_SEED: '7' });
    expect(config.ports.atomic).toBe(0);
    expect(config.ports.atelio).toBe(5020);
    expect(config.seed).toBe(7);
  });

  it('reads the Transact port from STITCH_TRANSACT_PORT, and a flag overrides it', () => {
    expect(loadConfig({}, { STITCH_TRANSACT_PORT: '5040' }).ports.transact).toBe(5040);
    expect(loadConfig({ ports: { transact: 0 } }, { STITCH_TRANSACT_PORT: '5040' }).ports.transact).toBe(0);
  });

  it('names every bad setting', () => {
    expect(() => loadConfig({}, { STITCH_ATOMIC_PORT: 'eighty', STITCH_WEBHOOK_URL: 'not a url' })).toThrowError(ConfigError);
    try {
      loadConfig({}, { STITCH_ATOMIC_PORT: 'eighty', STITCH_WEBHOOK_URL: 'not a url' });
    } catch (error) {
      expect(String(error)).toContain('ports.atomic');
      expect(String(error)).toContain('webhookUrl');
    }
  });
});

describe('loadConfig: exposure settings', () => {
  it('reads tokens and comma-separated lists from the environment, and lets flags replace the lists', () => {
    const config = loadConfig(
      { allowWebhookHosts: ['hooks.example.com:8443'] },
      {
        STITCH_CONTROL_TOKEN: 'control-token-0123456789',
        STITCH_VIEWER_TOKEN: 'viewer-token-0123456789',
        STITCH_ALLOWED_HOSTS: 'Demo.Example, other.example',
        STITCH_ALLOW_WEBHOOK_HOSTS: 'ignored.example',
        STITCH_SCENARIOS: '/a:/b',
      },
    );
    expect(config.controlToken).toBe('control-token-0123456789');
    expect(config.viewerToken).toBe('viewer-token-0123456789');
    expect(config.allowedHosts).toEqual(['demo.example', 'other.example']);
    expect(config.allowWebhookHosts).toEqual(['hooks.example.com:8443']);
    expect(config.scenarioDirs).toEqual(['/a', '/b']);
  });

  it('refuses short or spaced tokens', () => {
    expect(() => loadConfig({ controlToken: 'short' }, {})).toThrow(/controlToken: must be at least 16/);
    expect(() => loadConfig({ viewerToken: 'has a space in it ok' }, {})).toThrow(/viewerToken/);
  });
});

describe('loadConfig: scheduled refreshes', () => {
  it('refreshes daily at 06:00 UTC with no failures by default', () => {
    expect(loadConfig({}, {}).refreshes).toEqual({ enabled: true, every: 86_400_000, at: 6 * 3_600_000, failureRate: 0 });
  });

  it('reads on/off, durations, a UTC time of day and a rate from flags or the environment, flags first', () => {
    const config = loadConfig(
      { refreshes: { every: '12h' } },
      { STITCH_REFRESHES: 'off', STITCH_REFRESH_EVERY: '1d', STITCH_REFRESH_AT: '23:30', STITCH_REFRESH_FAILURE_RATE: '0.05' },
    );
    expect(config.refreshes).toEqual({ enabled: false, every: 43_200_000, at: (23 * 60 + 30) * 60_000, failureRate: 0.05 });
    expect(loadConfig({ refreshes: { enabled: 'on', every: '90m' } }, {}).refreshes).toMatchObject({ enabled: true, every: 5_400_000 });
  });

  it('names a bad cadence, time of day, switch or rate', () => {
    const problems = (() => {
      try {
        loadConfig({}, { STITCH_REFRESHES: 'sometimes', STITCH_REFRESH_EVERY: '10s', STITCH_REFRESH_AT: '25:00', STITCH_REFRESH_FAILURE_RATE: '2' });
      } catch (error) {
        return String(error);
      }
      return '';
    })();
    expect(problems).toContain('refreshes.enabled: must be on or off');
    expect(problems).toContain('refreshes.every: must be at least 1m');
    expect(problems).toContain('refreshes.at: must be a UTC time of day as HH:MM');
    expect(problems).toContain('refreshes.failureRate');
  });
});
