// A tcpSocket probe: success when a connection opens within the timeout.
import net from 'node:net';
import type { Clock } from '../../apimachinery/clock.js';
import { joinHostPort } from './port.js';

export function tcpConnect(host: string, port: number, timeoutMs: number, clock: Clock): Promise<{ ok: boolean; message: string }> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (ok: boolean, message: string) => {
      if (done) return;
      done = true;
      timer.cancel();
      socket.destroy();
      resolve({ ok, message });
    };
    const timer = clock.setTimeout(() => finish(false, `dial tcp ${addr}: i/o timeout`), timeoutMs);
    socket.once('connect', () => finish(true, ''));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused'
        : err.code === 'EHOSTUNREACH' ? 'connect: no route to host' : err.message;
      finish(false, `dial tcp ${addr}: ${why}`);
    });
  });
}
