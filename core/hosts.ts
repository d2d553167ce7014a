import { hostname as machineName, networkInterfaces } from 'node:os';

/**
 * Which names reach this machine, and which webhook targets the platform may call. Both are
 * decided on the name as written (after WHATWG URL normalisation, which turns `127.1` or
 * `0x7f000001` into `127.0.0.1`), never by resolving it: a name is allowed because it is listed,
 * not because of where DNS happens to point it today.
 */

/** True for a loopback IP literal: 127.0.0.0/8 or ::1 (brackets allowed). */
const isLoopbackIp = (hostname: string): boolean => {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::1' || bare === '0:0:0:0:0:0:0:1';
};

/** Names that reach this machine without DNS: loopback IPs, `localhost` and `*.localhost` (RFC 6761). */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return isLoopbackIp(name) || name === 'localhost' || name.endsWith('.localhost');
}

/** `0.0.0.0` / `::`: every interface. */
export const isWildcardHost = (host: string): boolean =>
  ['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0'].includes(host);

/** A bind that other machines can reach: anything but a loopback address. */
export const isExposedBind = (bindHost: string): boolean => !isLoopbackHostname(bindHost);

/** Lower case, no brackets, no trailing dot: how names are compared. */
export const normaliseHostname = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

/**
 * The names this machine answers to on `bindHost`: the bind address itself, and for a wildcard
 * bind every address of every interface plus the machine's name.
 */
export function bindHostNames(bindHost: string): string[] {
  if (!isWildcardHost(bindHost)) return [normaliseHostname(bindHost)];
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => normaliseHostname(i.address));
  return [...new Set([...addresses, normaliseHostname(machineName())])];
}

/** `host` or `host:port` (IPv6 in brackets), as given to `--allow-webhook-host`. */
interface HostEntry {
  hostname: string;
  port?: string;
}

function parseHostEntry(entry: string): HostEntry {
  try {
    const url = new URL(`http://${entry.trim()}`);
    return { hostname: normaliseHostname(url.hostname), ...(url.port ? { port: url.port } : {}) };
  } catch {
    return { hostname: normaliseHostname(entry) };
  }
}

const defaultPort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

export interface WebhookTargetPolicyOptions {
  /** The interface the platform binds: exposed binds restrict targets to the allow-list. */
  bindHost: string;
  /** `--allow-webhook-host` entries: `host` (any port) or `host:port`. */
  allowHosts: readonly string[];
}

/**
 * Where webhooks may go. On a loopback bind with no allow-list nothing is restricted (a laptop's
 * own handlers live anywhere). Once the platform is exposed — or an allow-list is given — a target
 * must be listed, or be one of the platform's own receivers; so nobody on the network can turn the
 * delivery engine into a relay to services only this machine can reach.
 */
export class WebhookTargetPolicy {
  private readonly entries: HostEntry[];
  private readonly ownOrigins = new Set<string>();
  readonly restricted: boolean;

  constructor(private readonly options: WebhookTargetPolicyOptions) {
    this.entries = options.allowHosts.map(parseHostEntry);
    this.restricted = isExposedBind(options.bindHost) || this.entries.length > 0;
    // On loopback with a list, loopback stays allowed ("as on a laptop").
    if (!isExposedBind(options.bindHost) && this.entries.length > 0)
      this.entries.push(...['127.0.0.1', 'localhost', '::1'].map((hostname) => ({ hostname })));
  }

  /** The platform's own receivers (the reference stitcher): allowed whatever the list says. */
  allowOrigin(url: string): void {
    this.ownOrigins.add(new URL(url).origin);
  }

  /** Why `url` may not be a webhook target, or undefined when it may. */
  refusal(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'is not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http(s) URL';
    if (!this.restricted || this.ownOrigins.has(parsed.origin)) return undefined;
    const hostname = normaliseHostname(parsed.hostname);
    const port = defaultPort(parsed);
    const allowed = this.entries.some(
      (entry) => entry.hostname === hostname && (entry.port === undefined || entry.port === port),
    );
    if (allowed) return undefined;
    return (
      `host ${parsed.host} is not an allowed webhook target on this platform ` +
      `(bound to ${this.options.bindHost}); the operator allows targets with --allow-webhook-host`
    );
  }
}
