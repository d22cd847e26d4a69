// One TCP listener of the userspace proxy: every accepted connection goes to the next endpoint in
// turn, moving on to another when a connect fails (a few tries, with growing time limits, as the
// original kube-proxy did), and is then spliced both ways with backpressure and half-close.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { errorText, plainAddress, type ListenerContext, type ServiceListener } from './userspace-listener.js';

/** Time limit of each connect attempt; their number is the most endpoints one connection tries. */
export const DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

export class TcpServiceListener implements ServiceListener {
  private readonly server: Server;
  /** Client sockets, each with its endpoint socket once connected. */
  private readonly conns = new Map<Socket, Socket | undefined>();

  constructor(readonly host: string, readonly port: number, private readonly ctx: ListenerContext, private readonly dialTimeoutsMs = DIAL_TIMEOUTS_MS) {
    // pauseOnConnect: nothing is read from the client before an endpoint can take it.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  get active(): number {
    return this.conns.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => {
          this.ctx.stats.socketErrors++;
          this.ctx.log.warn('listener error', { address: `${this.host}:${this.port}`, error: errorText(err) });
        });
        resolve();
      });
    });
  }

  close(drop = false): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (drop) {
      for (const [client, backend] of this.conns) {
        client.destroy();
        backend?.destroy();
      }
      this.conns.clear();
    }
    return closed;
  }

  private accept(client: Socket): void {
    const { stats, balancer, kind } = this.ctx;
    stats.accepted++;
    client.on('error', () => { stats.socketErrors++; });
    if (!balancer.hasEndpoints(kind)) {
      stats.noEndpoint++;
      client.resetAndDestroy();
      return;
    }
    this.conns.set(client, undefined);
    client.once('close', () => this.conns.delete(client));
    const tries = Math.min(this.dialTimeoutsMs.length, balancer.count(kind));
    this.dial(client, plainAddress(client.remoteAddress), 0, tries);
  }

  private dial(client: Socket, clientIP: string, attempt: number, tries: number): void {
    const { stats, balancer, kind, clock, log } = this.ctx;
    const ep = attempt < tries ? balancer.next(kind, clientIP, attempt > 0) : undefined;
    if (!ep || client.destroyed) {
      if (!ep) stats.noEndpoint++;
      client.resetAndDestroy();
      return;
    }
    const backend = connect({ host: ep.ip, port: ep.port, allowHalfOpen: true });
    let settled = false;
    const giveUp = (err: unknown): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      client.off('close', clientGone);
      backend.destroy();
      stats.dialFailures++;
      log.debug('could not reach endpoint', { address: `${this.host}:${this.port}`, endpoint: `${ep.ip}:${ep.port}`, error: errorText(err) });
      this.dial(client, clientIP, attempt + 1, tries);
    };
    const clientGone = (): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      backend.destroy();
    };
    const timer = clock.setTimeout(() => giveUp(new Error('connect timed out')), this.dialTimeoutsMs[attempt]!);
    client.once('close', clientGone);
    backend.on('error', (err) => {
      if (!settled) giveUp(err);
      else stats.socketErrors++;
    });
    backend.once('connect', () => {
      if (settled) return;
      settled = true;
      timer.cancel();
      client.off('close', clientGone);
      this.splice(client, backend);
    });
  }

  /** Bytes both ways; an end is passed on as a half-close, an error as a reset of the other side. */
  private splice(client: Socket, backend: Socket): void {
    this.ctx.stats.proxied++;
    this.conns.set(client, backend);
    client.on('error', () => { if (!backend.destroyed) backend.resetAndDestroy(); });
    backend.on('error', () => { if (!client.destroyed) client.resetAndDestroy(); });
    client.pipe(backend);
    backend.pipe(client);
  }
}
