// Test helpers for the userspace proxy: informers fed by hand instead of by an API server (its
// ClusterIP allocator would not hand out loopback addresses), Service and EndpointSlice builders,
// small named endpoint servers on loopback, a recording `ip` runner, and one-shot clients.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { EventHandler, IndexFunc, Informer, InformerFactory } from '../client/informer-types.js';
import type { ResourceRef } from '../client/rest.js';
import { IndexedStore } from '../client/store.js';
import type { CommandResult, CommandRunner } from './nft.js';

export class HandFedInformer<T extends KubeObject> implements Informer<T> {
  readonly store = new IndexedStore<T>();
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;

  addEventHandler(h: EventHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.store.list()) h.onAdd?.(o);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  markSynced(): void {
    this.synced = true;
  }

  put(obj: T): void {
    const old = this.store.add(obj);
    for (const h of this.handlers) (old ? h.onUpdate?.(old, obj) : h.onAdd?.(obj));
  }

  remove(obj: T): void {
    const old = this.store.delete(obj);
    if (old) for (const h of this.handlers) h.onDelete?.(old);
  }
}

export class HandFedInformers implements InformerFactory {
  private readonly byResource = new Map<string, HandFedInformer<KubeObject>>();

  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): Informer<T> {
    return this.of<T>(ref);
  }

  of<T extends KubeObject = KubeObject>(ref: ResourceRef): HandFedInformer<T> {
    const key = `${ref.group}/${ref.version}/${ref.plural}`;
    let inf = this.byResource.get(key);
    if (!inf) {
      inf = new HandFedInformer<KubeObject>();
      this.byResource.set(key, inf);
    }
    return inf as unknown as HandFedInformer<T>;
  }

  start(): void {
    for (const inf of this.byResource.values()) inf.markSynced();
  }

  async waitForSync(): Promise<void> {}
}

export type Obj = KubeObject & Record<string, any>;

export function makeService(name: string, clusterIP: string, spec: Record<string, unknown> = {}): Service & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'p', port: 80, protocol: 'TCP' }], ...spec },
  } as Service & KubeObject;
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  terminating?: boolean;
  nodeName?: string;
}

export function makeSlice(service: string, port: number, endpoints: (string | EndpointSpec)[], opts: { name?: string; protocol?: string; portName?: string } = {}): EndpointSlice & KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { namespace: 'default', name: opts.name ?? `${service}-1`, labels: { 'kubernetes.io/service-name': service } },
    ports: [{ name: opts.portName ?? 'p', port, protocol: opts.protocol ?? 'TCP' }],
    endpoints: endpoints.map((e) => {
      const s = typeof e === 'string' ? { ip: e } : e;
      return {
        addresses: [s.ip],
        conditions: { ready: s.ready ?? true, serving: true, terminating: s.terminating ?? false },
        ...(s.nodeName ? { nodeName: s.nodeName } : {}),
      };
    }),
  } as EndpointSlice & KubeObject;
}

/** A TCP server answering each connection with `name\n` and then echoing what it reads. */
export async function namedTcpServer(host: string, port: number, name: string): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  return server;
}

/** A UDP server answering each datagram with `name:` and the datagram. */
export async function namedUdpServer(host: string, port: number, name: string): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', (m, from) => socket.send(Buffer.concat([Buffer.from(`${name}:`), m]), from.port, from.address));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => resolve());
  });
  return socket;
}

/** Connects to host:port; the socket and the first line it reads (or the error that ended it). */
export function tcpHello(host: string, port: number, timeoutMs = 3000): Promise<{ socket: Socket; line?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    let buf = '';
    const timer = setTimeout(() => done({ socket, error: 'timed out' }), timeoutMs);
    function done(r: { socket: Socket; line?: string; error?: string }): void {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve(r);
    }
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) done({ socket, line: buf.slice(0, i) });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => done({ socket, error: e.code ?? e.message }));
    socket.on('end', () => done({ socket, error: 'closed' }));
  });
}

/** One datagram to host:port from 127.0.0.1; the reply, or undefined after the timeout. */
export function udpAsk(host: string, port: number, msg: string, timeoutMs = 1000, from?: UdpSocket): Promise<{ reply?: string; from?: string }> {
  return new Promise((resolve) => {
    const socket = from ?? createSocket('udp4');
    const timer = setTimeout(() => finish({}), timeoutMs);
    const onMessage = (m: Buffer, r: { address: string; port: number }) => finish({ reply: m.toString(), from: `${r.address}:${r.port}` });
    function finish(v: { reply?: string; from?: string }): void {
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (!from) socket.close();
      resolve(v);
    }
    socket.on('message', onMessage);
    socket.send(msg, port, host);
  });
}

/** An `ip` runner that keeps a pretend address list (`addresses()`) and records every command. */
export function recordingIpRunner(initial = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever'): { run: CommandRunner; commands: string[]; addresses: () => string[] } {
  const lines = [initial];
  const commands: string[] = [];
  const run: CommandRunner = async (argv): Promise<CommandResult> => {
    const args = argv.slice(1);
    commands.push(args.join(' '));
    if (args.includes('show')) return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
    const [, verb, cidr, , dev, , label] = args;
    if (verb === 'replace') lines.push(`1: ${dev}    inet ${cidr} scope global ${label ?? dev}\\       valid_lft forever preferred_lft forever`);
    if (verb === 'del') {
      const i = lines.findIndex((l) => l.includes(` inet ${cidr} `));
      if (i < 0) return { code: 2, stdout: '', stderr: 'Error: ipv4: Address not found.' };
      lines.splice(i, 1);
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return { run, commands, addresses: () => lines.map((l) => /inet (\S+)/.exec(l)![1]!) };
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
