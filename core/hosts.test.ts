import { describe, expect, it } from 'vitest';
import { bindHostNames, isExposedBind, WebhookTargetPolicy } from './hosts';

describe('WebhookTargetPolicy', () => {
  it('allows any http(s) target on a loopback bind without a list, and never other schemes', () => {
    const policy = new WebhookTargetPolicy({ bindHost: '127.0.0.1', allowHosts: [] });
    expect(policy.restricted).toBe(false);
    expect(policy.refusal('http://127.0.0.1:5432/')).toBeUndefined();
    expect(policy.refusal('https://hooks.example.com/x')).toBeUndefined();
    expect(policy.refusal('file:///etc/passwd')).toBe('must be an http(s) URL');
    expect(policy.refusal('not a url')).toBe('is not a URL');
  });

  it('once exposed, allows only listed hosts (any port, or the one given) and the platform’s own receivers', () => {
    const policy = new WebhookTargetPolicy({
      bindHost: '0.0.0.0',
      allowHosts: ['hooks.example.com', '127.0.0.1:9000', '[::1]:9001'],
    });
    policy.allowOrigin('http://0.0.0.0:4030');
    expect(policy.refusal('https://hooks.example.com/a')).toBeUndefined();
    expect(policy.refusal('http://HOOKS.example.com.:8080/a')).toBeUndefined();
    expect(policy.refusal('http://127.0.0.1:9000/a')).toBeUndefined();
    expect(policy.refusal('http://[::1]:9001/a')).toBeUndefined();
    expect(policy.refusal('http://0.0.0.0:4030/webhooks/atomic')).toBeUndefined();
    for (const url of [
      'http://127.0.0.1:9001/',
      'http://127.0.0.1/',
      // Other spellings of loopback normalise to 127.0.0.1 and are refused like it.
      'http://127.1:5432/',
      'http://0x7f000001:5432/',
      'http://localhost:9000/',
      'http://[::ffff:127.0.0.1]:9000/',
      'http://0.0.0.0:4031/',
      'http://evil.hooks.example.com/',
    ])
      expect(policy.refusal(url), url).toMatch(/not an allowed webhook target.*--allow-webhook-host/);
  });

  it('on loopback with a list, allows the list plus loopback', () => {
    const policy = new WebhookTargetPolicy({ bindHost: '127.0.0.1', allowHosts: ['hooks.example.com'] });
    expect(policy.refusal('http://localhost:3000/')).toBeUndefined();
    expect(policy.refusal('http://hooks.example.com/')).toBeUndefined();
    expect(policy.refusal('http://other.example.com/')).toBeDefined();
  });
});

describe('binds', () => {
  it('counts anything but a loopback address as exposed', () => {
    expect(isExposedBind('127.0.0.1')).toBe(false);
    expect(isExposedBind('::1')).toBe(false);
    expect(isExposedBind('localhost')).toBe(false);
    expect(isExposedBind('0.0.0.0')).toBe(true);
    expect(isExposedBind('192.0.2.2')).toBe(true);
  });

  it('names a wildcard bind by every interface address', () => {
    expect(bindHostNames('0.0.0.0')).toContain('127.0.0.1');
    expect(bindHostNames('192.0.2.7')).toEqual(['192.0.2.7']);
  });
});
