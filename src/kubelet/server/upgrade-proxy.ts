// Hands an upgraded client connection to the runtime's streaming server: the upgrade request is
// repeated towards the CRI streaming URL, its answer goes back to the client, and from then on
// the two connections are joined byte for byte.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/** Headers that carry the stream negotiation; everything else stays between client and kubelet. */
const forwarded = ['upgrade', 'connection', 'x-stream-protocol-version', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];

export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: string, onError: (e: Error) => void): void {
  const url = new URL(target);
  const headers: Record<string, string | string[]> = {};
  for (const name of forwarded) {
    const v = req.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  headers.host = url.host;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const up = send(url, { method: req.method, headers, rejectUnauthorized: false });
  const fail = (e: Error) => {
    onError(e);
    if (!socket.destroyed) socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' + `error dialing the container runtime: ${e.message}`);
  };
  up.on('error', fail);
  up.on('upgrade', (res, upstream, upHead) => {
    socket.write(statusHead(res));
    if (upHead.length) socket.write(upHead);
    if (head.length) upstream.write(head);
    joinConnections(socket, upstream);
  });
  up.on('response', (res) => {
    // Not upgraded: the runtime's answer goes back as it is.
    socket.write(statusHead(res, true));
    res.pipe(socket);
  });
  up.end();
}

function statusHead(res: IncomingMessage, close = false): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i];
    if (close && /^(connection|transfer-encoding|content-length)$/i.test(name)) continue;
    lines.push(`${name}: ${res.rawHeaders[i + 1]}`);
  }
  if (close) lines.push('Connection: close');
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * Pipes two connections both ways. When one closes, the other is ended rather than destroyed, so
 * what was already written to it (a session's last frames) still reaches its peer.
 */
export function joinConnections(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.end());
  b.on('close', () => a.end());
}
