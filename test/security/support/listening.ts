import { existsSync, readFileSync } from 'node:fs';

/**
 * Which local addresses a TCP port is listening on, read from the kernel's socket tables
 * (/proc/net/tcp and tcp6 on Linux): the truth about a bind, whatever the program printed.
 */

function ipv4(hex: string): string {
  // Little-endian 32-bit: 0100007F is 127.0.0.1.
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16));
  return bytes.reverse().join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const groups = words
    .join('')
    .match(/.{4}/g)!
    .map((g) => g.replace(/^0+(?=.)/, ''));
  return groups.join(':').replace(/(^|:)(0(:|$)){2,}/, '::');
}

export const canReadSocketTables = (): boolean => existsSync('/proc/net/tcp');

/** Addresses on which `port` is in LISTEN state (state 0A), e.g. ['127.0.0.1']. */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, portHex] = (fields[1] ?? '').split(':');
      if (fields[3] !== '0A' || !address || !portHex) continue;
      if (parseInt(portHex, 16) === port) out.push(decode(address));
    }
  }
  return out;
}
