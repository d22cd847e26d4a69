// Test and benchmark helpers: a DNS client for loopback queries over UDP and TCP, and a fake
// upstream resolver on 127.0.0.1 that answers from a function.
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Question, RecordType } from 'dns-packet';
import { TcpMessageSplitter, frameTcpMessage } from './tcp-framing.js';

export interface QueryOptions {
  host?: string;
  /** Sends an EDNS0 OPT record advertising this UDP payload size. */
  edns?: number;
  timeoutMs?: number;
  id?: number;
}

export function encodeQuery(name: string, type: RecordType, opts: QueryOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query', id: opts.id ?? Math.floor(Math.random() * 65536), flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as Answer] : [],
  });
}

/** Sends raw bytes over UDP; the first datagram back, or undefined after the timeout. */
export function rawUdp(port: number, msg: Buffer, opts: QueryOptions = {}): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), opts.timeoutMs ?? 2000);
    function finish(reply: Buffer | undefined) {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    }
    socket.once('message', (m) => finish(m));
    socket.send(msg, port, opts.host ?? '127.0.0.1');
  });
}

export async function queryUdp(port: number, name: string, type: RecordType, opts: QueryOptions = {}): Promise<DecodedPacket> {
  const reply = await rawUdp(port, encodeQuery(name, type, opts), opts);
  if (!reply) throw new Error(`no UDP reply for ${name} ${type}`);
  return dnsPacket.decode(reply);
}

/** Sends length-prefixed messages over one TCP connection; resolves with the replies' bodies. */
export function rawTcp(port: number, msgs: Buffer[], opts: QueryOptions = {}): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: opts.host ?? '127.0.0.1' });
    const replies: Buffer[] = [];
    const messages = new TcpMessageSplitter();
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('TCP query timed out')); }, opts.timeoutMs ?? 2000);
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('connect', () => {
      for (const m of msgs) socket.write(frameTcpMessage(m));
    });
    socket.on('data', (chunk: Buffer) => {
      replies.push(...messages.push(chunk));
      if (replies.length >= msgs.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
  });
}

export async function queryTcp(port: number, name: string, type: RecordType, opts: QueryOptions = {}): Promise<DecodedPacket> {
  const [reply] = await rawTcp(port, [encodeQuery(name, type, opts)], opts);
  return dnsPacket.decode(reply!);
}

export type UpstreamBehaviour = Answer[] | 'servfail' | 'silent';

export interface FakeUpstream {
  port: number;
  /** `name type` of every question received, UDP and TCP. */
  questions: string[];
  close(): Promise<void>;
}

/** A resolver on 127.0.0.1 (UDP and TCP on one port) answering each question from `answer`. */
export async function startFakeUpstream(answer: (q: Question) => UpstreamBehaviour): Promise<FakeUpstream> {
  const questions: string[] = [];
  const reply = (msg: Buffer): Buffer | undefined => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    questions.push(`${question.name} ${question.type}`);
    const what = answer(question);
    if (what === 'silent') return undefined;
    return dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE | (what === 'servfail' ? 2 : 0),
      questions: q.questions, answers: what === 'servfail' ? [] : what,
    });
  };
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const r = reply(msg);
    if (r) udp.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const port = udp.address().port;
  const tcp = createServer((conn) => {
    const messages = new TcpMessageSplitter();
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk: Buffer) => {
      for (const msg of messages.push(chunk)) {
        const r = reply(msg);
        if (r) conn.write(frameTcpMessage(r));
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', () => resolve()));
  return {
    port: (tcp.address() as AddressInfo).port,
    questions,
    close: () => new Promise<void>((resolve) => {
      udp.close();
      tcp.close(() => resolve());
    }),
  };
}
