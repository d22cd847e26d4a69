// The cluster DNS server: UDP and TCP (length-prefixed, pipelined) listeners on the given
// addresses, answering from informer caches through the Resolver. It starts serving once the
// informers have listed, so it never answers NXDOMAIN for a Service it has not seen yet.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Clock } from '../apimachinery/clock.js';
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { silentLogger } from '../apimachinery/log.js';
import type { InformerFactory } from '../client/informer-types.js';
import { Forwarder, parseHostPort, type Upstream } from './forward.js';
import { Resolver, type ResolverStats } from './resolver.js';
import { ClusterZone } from './zone.js';
import { TcpMessageSplitter, frameTcpMessage } from './tcp-framing.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** How long an idle TCP connection stays open (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10_000;

export interface DnsServerOptions {
  /** Informers for Services, EndpointSlices and Namespaces are asked of it; the server starts it. */
  informers: InformerFactory;
  /** `host:port` addresses to serve on (port 0 picks one, the same for UDP and TCP). */
  listen: string[];
  /** Default both. */
  protocols?: ('udp' | 'tcp')[];
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Resolvers for other names, `host:port`; none means such queries are REFUSED. */
  upstreams?: (string | Upstream)[];
  /** Record TTL in seconds; default 5. */
  ttl?: number;
  forwardTimeoutMs?: number;
  cacheSize?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface BoundAddresses {
  udp: AddressInfo[];
  tcp: AddressInfo[];
}

export class DnsServer {
  readonly ready: Promise<void>;
  readonly zone: ClusterZone;
  private readonly resolver: Resolver;
  private readonly log: Logger;
  private markReady!: () => void;
  private readonly udp: UdpSocket[] = [];
  private readonly tcp: TcpServer[] = [];
  private readonly connections = new Set<Socket>();

  constructor(private readonly opts: DnsServerOptions) {
    const clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ component: 'dns' });
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    this.zone = new ClusterZone(opts.informers, { domain: opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, ttl: opts.ttl, clock });
    const forwarder = opts.upstreams?.length ? new Forwarder(opts.upstreams, clock, opts.forwardTimeoutMs) : undefined;
    this.resolver = new Resolver(this.zone, forwarder, { cacheSize: opts.cacheSize, logger: this.log });
  }

  stats(): ResolverStats {
    return { ...this.resolver.stats };
  }

  addresses(): BoundAddresses {
    return { udp: this.udp.map((s) => s.address()), tcp: this.tcp.map((s) => s.address() as AddressInfo) };
  }

  /** Serves until `signal` aborts; resolves once every listener is closed. */
  async start(signal: AbortSignal): Promise<void> {
    this.opts.informers.start(signal);
    try {
      await this.opts.informers.waitForSync(signal);
    } catch {
      return;
    }
    const protocols = this.opts.protocols ?? ['udp', 'tcp'];
    try {
      for (const addr of this.opts.listen) await this.listenOn(parseHostPort(addr), protocols);
    } catch (err) {
      await this.close();
      throw err;
    }
    this.log.info('serving', { domain: this.zone.domain, udp: this.addresses().udp.map(fmt), tcp: this.addresses().tcp.map(fmt) });
    this.markReady();
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.close();
  }

  private async listenOn(addr: Upstream, protocols: ('udp' | 'tcp')[]): Promise<void> {
    let port = addr.port;
    if (protocols.includes('udp')) {
      const socket = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4' });
      socket.on('message', (msg, rinfo) => this.onDatagram(socket, msg, rinfo.port, rinfo.address));
      socket.on('error', (err) => this.log.warn('udp socket error', { error: err.message }));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, addr.host, () => { socket.off('error', reject); resolve(); });
      });
      this.udp.push(socket);
      port = socket.address().port;
    }
    if (protocols.includes('tcp')) {
      const server = createServer((conn) => this.onConnection(conn));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: addr.host }, () => { server.off('error', reject); resolve(); });
      });
      server.on('error', (err) => this.log.warn('tcp server error', { error: err.message }));
      this.tcp.push(server);
    }
  }

  private onDatagram(socket: UdpSocket, msg: Buffer, port: number, address: string): void {
    const send = (reply: Buffer | undefined) => {
      if (reply) socket.send(reply, port, address);
    };
    const reply = this.resolver.handle(msg, false);
    if (reply instanceof Promise) void reply.then(send);
    else send(reply);
  }

  private onConnection(conn: Socket): void {
    this.connections.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => conn.destroy());
    const messages = new TcpMessageSplitter();
    const send = (reply: Buffer | undefined) => {
      if (!reply || conn.destroyed) return;
      conn.write(frameTcpMessage(reply));
    };
    conn.on('data', (chunk: Buffer) => {
      for (const msg of messages.push(chunk)) {
        const reply = this.resolver.handle(msg, true);
        if (reply instanceof Promise) void reply.then(send);
        else send(reply);
      }
    });
  }

  private async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all([
      ...this.udp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      ...this.tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
    this.udp.length = 0;
    this.tcp.length = 0;
  }
}

function fmt(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
