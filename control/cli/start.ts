import type { Command } from 'commander';
import { DEFAULT_PORTS } from '../../core/config';
import { startSandbox, type Sandbox, type SandboxOptions } from '../platform';

interface StartFlags {
  seed?: string;
  host?: string;
  port?: string;
  controlPort?: string;
  atomicPort?: string;
  atelioPort?: string;
  stitcherPort?: string;
  transactPort?: string;
  webhookUrl?: string;
  stateFile?: string;
  stitcherDb?: string;
  journalSize?: string;
  controlToken?: string;
  viewerToken?: string;
  allowedHost: string[];
  allowWebhookHost: string[];
  scenarios: string[];
  maxConnections?: string;
  refreshes?: string;
  refreshEvery?: string;
  refreshAt?: string;
  refreshFailureRate?: string;
  stitcher: boolean;
  stitcherInProcess?: boolean;
}

/** Commander collector for flags that may be given more than once. */
const collect = (value: string, previous: string[]) => [...previous, value];

function optionsFrom(flags: StartFlags): SandboxOptions {
  const ports: Record<string, string> = {};
  if (flags.port === '0')
    Object.assign(ports, { control: '0', atomic: '0', atelio: '0', stitcher: '0', transact: '0' });
  if (flags.controlPort) ports['control'] = flags.controlPort;
  if (flags.atomicPort) ports['atomic'] = flags.atomicPort;
  if (flags.atelioPort) ports['atelio'] = flags.atelioPort;
  if (flags.stitcherPort) ports['stitcher'] = flags.stitcherPort;
  if (flags.transactPort) ports['transact'] = flags.transactPort;
  // Values stay strings here; the config schema coerces and validates them in one place.
  return {
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.webhookUrl !== undefined ? { webhookUrl: flags.webhookUrl } : {}),
    ...(flags.stateFile !== undefined ? { stateFile: flags.stateFile } : {}),
    ...(flags.stitcherDb !== undefined ? { stitcherDb: flags.stitcherDb } : {}),
    ...(flags.journalSize !== undefined ? { journalSize: flags.journalSize } : {}),
    ...(flags.controlToken !== undefined ? { controlToken: flags.controlToken } : {}),
    ...(flags.viewerToken !== undefined ? { viewerToken: flags.viewerToken } : {}),
    ...(flags.maxConnections !== undefined ? { maxConnections: flags.maxConnections } : {}),
    // Given lists replace the environment's; none given leaves it.
    ...(flags.allowedHost.length ? { allowedHosts: flags.allowedHost } : {}),
    ...(flags.allowWebhookHost.length ? { allowWebhookHosts: flags.allowWebhookHost } : {}),
    ...(flags.scenarios.length ? { scenarioDirs: flags.scenarios } : {}),
    refreshes: {
      ...(flags.refreshes !== undefined ? { enabled: flags.refreshes } : {}),
      ...(flags.refreshEvery !== undefined ? { every: flags.refreshEvery } : {}),
      ...(flags.refreshAt !== undefined ? { at: flags.refreshAt } : {}),
      ...(flags.refreshFailureRate !== undefined ? { failureRate: flags.refreshFailureRate } : {}),
    },
    ports: ports as unknown as Record<string, number>,
    stitcher: flags.stitcher,
    // The stitcher gets its own thread, so its backlog never slows the mocks (docs/decisions/016).
    stitcherThread: flags.stitcherInProcess ? 'in-process' : 'worker',
  } as SandboxOptions;
}

function banner(sandbox: Sandbox): string {
  const { config, urls } = sandbox;
  const lines = [
    '',
    'stitch-sandbox is running',
    '',
    `  Control plane + dashboard  ${urls.control}`,
    `  Atomic mock                ${urls.atomic}   (docs: ${urls.atomic}/docs)`,
    `  Atelio mock                ${urls.atelio}   (docs: ${urls.atelio}/docs)`,
    ...(urls.stitcher ? [`  Reference stitcher         ${urls.stitcher}`] : []),
    `  Transact (browser SDK)     ${urls.transact}   (environmentOverride: '${urls.transact}')`,
    '',
    '  Credentials',
    `    Atomic  x-api-key: ${config.atomic.apiKey}   x-api-secret: ${config.atomic.apiSecret}`,
    `    Atelio  Identity: ${config.atelio.identity}   Authorization: ${config.atelio.authorization}`,
  ];
  const { access } = sandbox;
  if (access.controlToken !== undefined) {
    lines.push(
      '',
      `  Control token${access.generatedControlToken ? ' (generated; set your own with --control-token or STITCH_CONTROL_TOKEN)' : ''}`,
      `    API        Authorization: Bearer ${access.controlToken}`,
      `    Dashboard  ${urls.control}/?token=${encodeURIComponent(access.controlToken)}`,
    );
    if (access.viewerToken !== undefined)
      lines.push(
        `    Viewers    ${urls.control}/?token=${encodeURIComponent(access.viewerToken)}  (read-only)`,
      );
  }
  if (access.exposed) {
    const targets = config.allowWebhookHosts.length
      ? config.allowWebhookHosts.join(', ')
      : 'none but the reference stitcher';
    lines.push('', `  Exposed on ${config.host}: webhook targets allowed: ${targets} (--allow-webhook-host)`);
  }
  if (config.stateFile)
    lines.push('', `  State file ${config.stateFile} (restored at start, saved when stopped)`);
  const refreshes = sandbox.atomic.refreshSchedule();
  lines.push(
    '',
    refreshes.nextAt
      ? `  Scheduled refreshes of connected Amazon accounts: next at ${refreshes.nextAt} (--refreshes off to stop them)`
      : '  Scheduled refreshes: off',
  );
  const baseline = sandbox.atomic.baselineInfo();
  if (baseline.identifiers.length) {
    lines.push('', '  Seeded data', `    Atomic user identifiers: ${baseline.identifiers.join(', ')}`);
    if (baseline.amazonAccountId)
      lines.push(`    Amazon order-monitoring account: ${baseline.amazonAccountId}`);
    if (baseline.publicToken) lines.push(`    Public token: ${baseline.publicToken}`);
  }
  if (sandbox.webhookSecrets && config.webhookUrl) {
    lines.push(
      '',
      `  Webhooks to ${config.webhookUrl}`,
      `    Atomic  X-HMAC-Signature-Sha-256 keyed with: ${sandbox.webhookSecrets.atomic}`,
      `    Atelio  Bond-Signature keyed with: ${sandbox.webhookSecrets.atelio}`,
    );
  }
  lines.push(
    '',
    `  Try: curl -H 'x-api-key: ${config.atomic.apiKey}' -H 'x-api-secret: ${config.atomic.apiSecret}' ${urls.atomic}/${baseline.identifiers[0] ?? 'IDENTIFIER'}/pay-link/accounts`,
    '',
    'Press Ctrl+C to stop.',
    '',
  );
  return lines.join('\n');
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Run the platform: Atomic and Atelio mocks, Transact stand-in, reference stitcher and control plane',
    )
    .option('--seed <n>', 'seed for all generated data (same seed, same data)')
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--port <n>', 'use 0 to give every server a free port (prints one JSON line with the URLs)')
    .option('--control-port <n>', `control plane port (default ${DEFAULT_PORTS.control})`)
    .option('--atomic-port <n>', `Atomic mock port (default ${DEFAULT_PORTS.atomic})`)
    .option('--atelio-port <n>', `Atelio mock port (default ${DEFAULT_PORTS.atelio})`)
    .option('--stitcher-port <n>', `reference stitcher port (default ${DEFAULT_PORTS.stitcher})`)
    .option('--transact-port <n>', `Transact stand-in port (default ${DEFAULT_PORTS.transact})`)
    .option('--webhook-url <url>', 'also send every webhook of both vendors to this URL')
    .option('--state-file <path>', 'restore state from this file on start and save it there on shutdown')
    .option('--stitcher-db <path>', "the reference stitcher's SQLite file (default in memory)")
    .option('--journal-size <n>', 'requests kept in the request journal (default 1000)')
    .option(
      '--control-token <token>',
      'bearer token for the control API and dashboard (generated when bound beyond loopback)',
    )
    .option('--viewer-token <token>', 'read-only token: the dashboard without reset, faults or state')
    .option(
      '--allowed-host <name>',
      'another Host name the control plane answers to (repeatable)',
      collect,
      [],
    )
    .option(
      '--allow-webhook-host <host[:port]>',
      'allowed webhook target when exposed (repeatable)',
      collect,
      [],
    )
    .option('--scenarios <dir>', 'a folder of scenario files offered by name (repeatable)', collect, [])
    .option('--max-connections <n>', 'open connections per server (default 1024)')
    .option('--refreshes <on|off>', 'daily refreshes of connected Order Monitoring accounts (default on)')
    .option('--refresh-every <duration>', 'time between scheduled refreshes, e.g. 1d, 12h (default 1d)')
    .option('--refresh-at <HH:MM>', 'UTC time of day of the scheduled refreshes (default 06:00)')
    .option(
      '--refresh-failure-rate <0..1>',
      'share of scheduled refreshes that fail with a seeded reason (default 0)',
    )
    .option('--no-stitcher', 'do not start the reference stitcher')
    .option(
      '--stitcher-in-process',
      "run the reference stitcher on the mocks' event loop instead of its own thread",
    )
    .action(async (flags: StartFlags) => {
      const sandbox = await startSandbox(optionsFrom(flags));
      const ephemeral = Object.values(sandbox.config.ports).some((p) => p === 0);
      // A generated control token is in the ready line: the runner that started us has no other way
      // to learn it. A token the caller gave is never echoed.
      const generatedToken = sandbox.access.generatedControlToken
        ? { controlToken: sandbox.access.controlToken }
        : {};
      if (ephemeral)
        process.stdout.write(
          `${JSON.stringify({ event: 'ready', urls: sandbox.urls, ...generatedToken })}\n`,
        );
      else process.stdout.write(banner(sandbox));
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) {
          // A second Ctrl+C means "now": skip what is left of the graceful stop.
          process.stderr.write(`${signal} again: exiting without finishing the shutdown\n`);
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(`\n${signal}: stopping…\n`);
        try {
          await sandbox.stop();
        } catch (error) {
          process.stderr.write(`stitch-sandbox: shutdown failed: ${(error as Error).message}\n`);
          process.exit(1);
        }
        if (sandbox.config.stateFile) process.stderr.write(`State saved to ${sandbox.config.stateFile}\n`);
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      // A closed terminal or an SSH session that drops: save and stop, as for Ctrl+C.
      process.on('SIGHUP', () => void shutdown('SIGHUP'));
    });
}
