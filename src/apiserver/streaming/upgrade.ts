// Upgrade requests (WebSocket, SPDY) go through the same handler as every other request: they get
// a response object bound to their socket, so authentication and errors work as usual, and the
// streaming handlers take the socket over with `upgradeOf(req)`.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();

/** The connection of an upgrade request, or undefined for an ordinary one. */
export function upgradeOf(req: IncomingMessage): PendingUpgrade | undefined {
  return pending.get(req);
}

/**
 * Routes `server`'s upgrade requests to `handle`; on abort the upgraded connections (which the
 * HTTP server no longer tracks) are closed.
 */
export function acceptUpgrades(server: EventEmitter, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, signal: AbortSignal): void {
  const open = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    pending.set(req, { socket, head });
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    // An answer other than the upgrade ends the connection.
    res.once('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
    void handle(req, res);
  });
  signal.addEventListener('abort', () => { for (const s of open) s.destroy(); }, { once: true });
}

/** A WebSocket or SPDY upgrade, by the request's headers. */
export function upgradeProtocol(req: IncomingMessage): 'websocket' | 'spdy' | undefined {
  const u = String(req.headers.upgrade ?? '').toLowerCase();
  if (u === 'websocket') return 'websocket';
  if (u.startsWith('spdy/')) return 'spdy';
  return undefined;
}

/** The values of a header that may repeat or carry comma-separated lists. */
export function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name.toLowerCase()];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}
