// One UDP listener of the userspace proxy: each client address gets an association — a socket of
// its own towards one endpoint, chosen in turn — that lives until it has been idle for a while.
// Replies go back to the client from the listening socket, so they come from the service address.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { EndpointModel } from './model.js';
import { errorText, type ListenerContext, type ServiceListener } from './userspace-listener.js';

/** How long an association outlives its last datagram either way (conntrack's UDP timeout). */
export const UDP_IDLE_TIMEOUT_MS = 30_000;

interface Association {
  endpoint: EndpointModel;
  socket: Socket;
  timer: { cancel(): void };
}

export class UdpServiceListener implements ServiceListener {
  private readonly socket: Socket;
  private readonly assocs = new Map<string, Association>();
  private closed = false;

  constructor(readonly host: string, readonly port: number, private readonly ctx: ListenerContext, private readonly idleTimeoutMs = UDP_IDLE_TIMEOUT_MS) {
    this.socket = createSocket({ type: 'udp4' });
  }

  get active(): number {
    return this.assocs.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.host, port: this.port, exclusive: true }, () => {
        this.socket.off('error', reject);
        this.socket.on('error', (err) => {
          this.ctx.stats.socketErrors++;
          this.ctx.log.debug('udp listener error', { address: `${this.host}:${this.port}`, error: errorText(err) });
        });
        this.socket.on('message', (msg, from) => this.receive(msg, from));
        resolve();
      });
    });
  }

  /** A datagram socket has no connections to finish: its associations end with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const key of [...this.assocs.keys()]) this.forget(key);
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private receive(msg: Buffer, from: RemoteInfo): void {
    const { stats, balancer, kind } = this.ctx;
    const key = `${from.address}:${from.port}`;
    let a = this.assocs.get(key);
    if (a && !balancer.serves(kind, a.endpoint)) {
      this.forget(key);
      a = undefined;
    }
    if (!a) {
      const endpoint = balancer.next(kind, from.address);
      if (!endpoint) {
        stats.noEndpoint++;
        return;
      }
      a = this.associate(key, from, endpoint);
    }
    this.touch(key, a);
    a.socket.send(msg, a.endpoint.port, a.endpoint.ip, (err) => { if (err) stats.socketErrors++; });
  }

  private associate(key: string, client: RemoteInfo, endpoint: EndpointModel): Association {
    const { stats } = this.ctx;
    stats.udpAssociations++;
    const socket = createSocket({ type: 'udp4' });
    const a: Association = { endpoint, socket, timer: { cancel() {} } };
    socket.on('error', () => { stats.socketErrors++; });
    socket.on('message', (reply, src) => {
      if (src.address !== endpoint.ip || src.port !== endpoint.port || this.closed) return;
      this.touch(key, a);
      this.socket.send(reply, client.port, client.address, (err) => { if (err) stats.socketErrors++; });
    });
    this.assocs.set(key, a);
    return a;
  }

  private touch(key: string, a: Association): void {
    a.timer.cancel();
    a.timer = this.ctx.clock.setTimeout(() => this.forget(key), this.idleTimeoutMs);
  }

  private forget(key: string): void {
    const a = this.assocs.get(key);
    if (!a) return;
    this.assocs.delete(key);
    a.timer.cancel();
    try {
      a.socket.close();
    } catch {
      // already closed
    }
  }
}
