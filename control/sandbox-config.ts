import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type PlatformConfig, type PlatformConfigInput } from '../core/config';
import { isExposedBind } from '../core/hosts';
import type { ProtocolErrorBody } from '../core/server';
import { errorBody as atelioErrorBody } from '../mock-atelio';
import { atomicProtocolErrorBody } from '../mock-atomic';
import { sameSecret } from './access';

/** How `startSandbox` is configured: the platform configuration, its ports and the stitcher. */

export type Ports = PlatformConfig['ports'];

export interface SandboxOptions extends Omit<PlatformConfigInput, 'ports'> {
  /** `0` picks a free port for every server; or set each one. */
  ports?: 0 | Partial<Record<keyof Ports, number>>;
  /** Start the reference stitcher and register it with both mocks (default true). */
  stitcher?: boolean;
  /**
   * Where the stitcher runs: `'worker'`, its own thread, so a stitching backlog never slows the
   * vendor mocks (what `stitch-sandbox start` does; docs/decisions/016); or `'in-process'` (default),
   * on the platform's event loop, as tests that reach into it want.
   */
  stitcherThread?: 'worker' | 'in-process';
  /** Environment to read settings from; default process.env. Pass `{}` to ignore it. */
  env?: Record<string, string | undefined>;
}

/**
 * Who may use the control plane: the tokens in force (the control token generated at start when
 * the platform is exposed and none was given), and whether the bind reaches beyond loopback.
 */
export interface SandboxAccess {
  exposed: boolean;
  controlToken?: string;
  viewerToken?: string;
  generatedControlToken: boolean;
}

/** The Atomic mock's refresh schedule from the platform configuration (decision 027). */
export const atomicRefreshes = (config: PlatformConfig) => ({
  enabled: config.refreshes.enabled,
  everyMs: config.refreshes.every,
  atMs: config.refreshes.at,
  failureRate: config.refreshes.failureRate,
});

export function resolveConfig(options: SandboxOptions): PlatformConfig {
  const { ports, stitcher: _stitcher, stitcherThread: _thread, env, ...rest } = options;
  const portOverrides =
    ports === 0 ? { control: 0, atomic: 0, atelio: 0, stitcher: 0, transact: 0 } : (ports ?? {});
  return loadConfig({ ...rest, ports: portOverrides }, env);
}

/**
 * The control plane's tokens. Beyond loopback a control token is required: when none is given one
 * is generated (printed at start). On loopback tokens are optional and enforced only when given.
 */
export function controlAccessFor(config: PlatformConfig): SandboxAccess {
  const exposed = isExposedBind(config.host);
  const needed = exposed || config.viewerToken !== undefined;
  const generated = needed && config.controlToken === undefined;
  const controlToken = config.controlToken ?? (generated ? randomBytes(24).toString('base64url') : undefined);
  if (
    controlToken !== undefined &&
    config.viewerToken !== undefined &&
    sameSecret(controlToken, config.viewerToken)
  )
    throw new ConfigError('Invalid configuration:\n  viewerToken: must differ from the control token');
  return {
    exposed,
    generatedControlToken: generated,
    ...(controlToken === undefined ? {} : { controlToken }),
    ...(config.viewerToken === undefined ? {} : { viewerToken: config.viewerToken }),
  };
}

/** Malformed HTTP (refused before any app code runs) still gets each server's own error envelope. */
export const PROTOCOL_ERROR_BODIES: Record<'atomic' | 'atelio' | 'control', ProtocolErrorBody> = {
  atomic: atomicProtocolErrorBody,
  atelio: (status, message) => JSON.stringify(atelioErrorBody(status, 'invalid_request', message)),
  control: (status, message) =>
    JSON.stringify({ error: { code: status === 431 ? 'headers_too_large' : 'bad_request', message } }),
};
