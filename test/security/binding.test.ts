import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../control/platform';
import { startCli, type CliProcess } from '../e2e/support/cli';
import { canReadSocketTables, listeningAddresses } from './support/listening';

/**
 * A sandbox on a laptop must not be reachable from the café's Wi-Fi: every server binds the
 * loopback interface unless the user asks for another one.
 */

const running: CliProcess[] = [];
afterAll(async () => {
  for (const cli of running) await cli.stop('SIGKILL');
});

/** This machine's own addresses other than loopback (where a LAN peer would connect). */
const externalAddresses = () =>
  Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && i.family === 'IPv4')
    .map((i) => i.address);

const connects = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

describe('binding', () => {
  it('`stitch-sandbox start` listens on 127.0.0.1 only, for all five servers (Transact included)', async () => {
    const cli = await startCli();
    running.push(cli);
    const urls = Object.values(cli.urls);
    expect(urls).toHaveLength(5);
    for (const url of urls) {
      const { hostname, port } = new URL(url);
      expect(hostname).toBe('127.0.0.1');
      if (canReadSocketTables()) expect(listeningAddresses(Number(port)), url).toEqual(['127.0.0.1']);
      expect(await connects('127.0.0.1', Number(port))).toBe(true);
      for (const address of externalAddresses())
        expect(await connects(address, Number(port)), `${address}:${port}`).toBe(false);
    }
  });

  it('binds the interface it is told to (--host, here another loopback address), stitcher included', async () => {
    const sandbox = await startSandbox({ ports: 0, env: {}, host: '127.0.0.2' });
    try {
      const urls = Object.values(sandbox.urls);
      expect(urls).toHaveLength(5);
      for (const url of urls) {
        const { hostname, port } = new URL(url);
        expect(hostname).toBe('127.0.0.2');
        if (canReadSocketTables()) expect(listeningAddresses(Number(port)), url).toEqual(['127.0.0.2']);
        expect(await connects('127.0.0.1', Number(port)), `${url} on 127.0.0.1`).toBe(false);
      }
    } finally {
      await sandbox.stop();
    }
  });

  it('takes the interface from STITCH_HOST when no flag is given', async () => {
    const cli = await startCli([], { env: { STITCH_HOST: '127.0.0.3' } });
    running.push(cli);
    for (const url of Object.values(cli.urls)) {
      const { hostname, port } = new URL(url);
      expect(hostname).toBe('127.0.0.3');
      if (canReadSocketTables()) expect(listeningAddresses(Number(port)), url).toEqual(['127.0.0.3']);
    }
  });
});
