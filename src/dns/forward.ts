// Forwarding of names outside the cluster zone: the client's query goes as it is to each upstream
// resolver in turn (UDP for UDP clients, TCP for TCP clients) and the first answer that matches
// it comes back as it is; undefined when every upstream failed or stayed silent.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { Clock } from '../apimachinery/clock.js';
import { HEADER_BYTES } from './wire.js';
import { TcpMessageSplitter, frameTcpMessage } from './tcp-framing.js';

export interface Upstream { host: string; port: number }

/** `host:port`, `[v6]:port`, or a bare address (port 53). */
export function parseHostPort(text: string, defaultPort = 53): Upstream {
  const s = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  if (isIPv6(s)) return { host: s, port: defaultPort };
  const i = s.lastIndexOf(':');
  if (i < 0) return { host: s, port: defaultPort };
  const port = Number(s.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port in ${text}`);
  return { host: s.slice(0, i), port };
}

/** Whether a reply answers the query: same ID and the same question bytes. */
function matches(query: Buffer, reply: Buffer): boolean {
  if (reply.length < HEADER_BYTES || reply[0] !== query[0] || reply[1] !== query[1]) return false;
  let end = HEADER_BYTES;
  while (end < query.length && query[end] !== 0) end += query[end]! + 1;
  end += 5;
  if (end > query.length || end > reply.length) return true;
  return reply.compare(query, HEADER_BYTES, end, HEADER_BYTES, end) === 0
    || reply.toString('latin1', HEADER_BYTES, end).toLowerCase() === query.toString('latin1', HEADER_BYTES, end).toLowerCase();
}

export class Forwarder {
  readonly upstreams: Upstream[];

  constructor(upstreams: (string | Upstream)[], private readonly clock: Clock, private readonly timeoutMs = 2000) {
    this.upstreams = upstreams.map((u) => (typeof u === 'string' ? parseHostPort(u) : u));
  }

  /** The first matching reply from the upstreams, tried in order; undefined when all fail. */
  async forward(query: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      const reply = await (tcp ? this.overTcp(u, query) : this.overUdp(u, query)).catch(() => undefined);
      if (reply && matches(query, reply)) return reply;
    }
    return undefined;
  }

  private overUdp(u: Upstream, query: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = createSocket(isIPv6(u.host) ? 'udp6' : 'udp4');
      let done = false;
      const finish = (reply: Buffer | undefined) => {
        if (done) return;
        done = true;
        timer.cancel();
        socket.close();
        resolve(reply);
      };
      const timer = this.clock.setTimeout(() => finish(undefined), this.timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('message', (msg) => {
        if (matches(query, msg)) finish(msg);
      });
      socket.send(query, u.port, u.host, (err) => { if (err) finish(undefined); });
    });
  }

  private overTcp(u: Upstream, query: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: u.host, port: u.port });
      const messages = new TcpMessageSplitter();
      let done = false;
      const finish = (reply: Buffer | undefined) => {
        if (done) return;
        done = true;
        timer.cancel();
        socket.destroy();
        resolve(reply);
      };
      const timer = this.clock.setTimeout(() => finish(undefined), this.timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('connect', () => socket.write(frameTcpMessage(query)));
      socket.on('data', (chunk: Buffer) => {
        const [reply] = messages.push(chunk);
        if (reply) finish(reply);
      });
    });
  }
}
