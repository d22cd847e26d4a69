// WebSocket handshakes for the streaming subresources: the subprotocol is chosen before the
// kubelet is dialled, and the 101 goes out only once the kubelet has accepted the stream.
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest } from '../../apimachinery/status.js';
import { headerList, type PendingUpgrade } from './upgrade.js';

const chosen = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
// Our subprotocol goes out here rather than through `ws`'s negotiation, which refuses names with
// a '/' such as kubectl's `SPDY/3.1+portforward.k8s.io`.
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  const p = chosen.get(req);
  if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
});

/** The first of `supported` (in our order of preference) the client offers; 400 otherwise. */
export function pickSubprotocol(req: IncomingMessage, supported: string[]): string {
  const offered = headerList(req, 'sec-websocket-protocol');
  const chosen = supported.find((p) => offered.includes(p));
  if (!chosen) throw badRequest(`unable to upgrade: the client offered none of the supported subprotocols [${supported.join(' ')}] (offered: [${offered.join(' ')}])`);
  return chosen;
}

/** Completes the handshake with `protocol` and hands back the socket as a WebSocket. */
export function acceptWebSocket(req: IncomingMessage, up: PendingUpgrade, protocol: string): Promise<WebSocket> {
  chosen.set(req, protocol);
  delete req.headers['sec-websocket-protocol'];
  return new Promise((resolve) => wss.handleUpgrade(req, up.socket, up.head, resolve));
}

/** Binary frame `[channel, ...payload]`. */
export function channelFrame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

/** A WebSocket message as one Buffer, whatever shape `ws` delivered it in. */
export function messageBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
