/**
 * A hostile peer in its own process (so its sockets count against its own file limit, not the
 * measuring process's): opens `count` TCP connections round-robin over the given ports and sends
 * nothing on them. With RECONNECT=1 in the environment, whenever the server closes one it opens
 * another a second later, keeping the pressure up (a connection flood, not just idle sockets).
 * Reports on stdout once every connection has been attempted, then every second.
 *
 *   node --import tsx bench/lib/socket-flood.ts HOST COUNT PORT [PORT...]
 */
import net from 'node:net';

const [host = '127.0.0.1', countText = '1000', ...portTexts] = process.argv.slice(2);
const ports = portTexts.map(Number);
const count = Number(countText);
const reconnect = process.env['RECONNECT'] === '1';
let open = 0;
let opened = 0;
let closedByServer = 0;

function connect(port: number): void {
  const socket = net.connect({ host, port });
  let connected = false;
  socket.on('connect', () => {
    connected = true;
    open++;
    opened++;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (connected) {
      open--;
      closedByServer++;
    }
    // Keep the pressure: another idle connection in its place, a little later.
    if (reconnect) setTimeout(() => connect(port), 1000).unref();
  });
  // Never write. (Reading is left on, or a paused socket would not notice being closed.)
}

let started = 0;
const batch = () => {
  for (let i = 0; i < 500 && started < count; i++, started++) connect(ports[started % ports.length]!);
  if (started < count) setTimeout(batch, 10);
};
batch();
setInterval(() => {
  process.stdout.write(`${JSON.stringify({ open, opened, closedByServer, attempted: started })}\n`);
}, 1000);
