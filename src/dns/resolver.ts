// One DNS message in, one reply out: cluster names from the zone (encoded once per distinct query
// and kept until the zone changes), other names through the upstream resolvers, malformed or
// unsupported messages refused with the right rcode. Never throws.
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import type { Logger } from '../apimachinery/log.js';
import { silentLogger } from '../apimachinery/log.js';
import type { Forwarder } from './forward.js';
import {
  CLASSIC_UDP_PAYLOAD, HEADER_BYTES, encodeResponse, headerOnlyReply, isResponse, opcodeOf, patchResponse, udpLimit, type Rcode,
} from './wire.js';
import type { ClusterZone, ZoneAnswer } from './zone.js';

export interface ResolverStats {
  queries: number;
  cacheHits: number;
  forwarded: number;
  errors: number;
}

export interface ResolverOptions {
  /** Encoded answers kept (distinct queries); default 10,000; 0 turns the cache off. */
  cacheSize?: number;
  logger?: Logger;
}

const TCP_LIMIT = 65535;

export class Resolver {
  readonly stats: ResolverStats = { queries: 0, cacheHits: 0, forwarded: 0, errors: 0 };
  private readonly cache = new Map<string, Buffer>();
  private readonly cacheSize: number;
  private readonly log: Logger;
  /** Moves on every zone change, so an answer computed before one is not kept after it. */
  private generation = 0;

  constructor(private readonly zone: ClusterZone, private readonly forwarder: Forwarder | undefined, opts: ResolverOptions = {}) {
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.log = opts.logger ?? silentLogger;
    zone.onChange(() => {
      this.generation++;
      this.cache.clear();
    });
  }

  /** The reply to `msg`, or undefined when there is none to send (too short to answer, or a response). */
  handle(msg: Buffer, tcp: boolean): Buffer | undefined | Promise<Buffer | undefined> {
    if (msg.length < HEADER_BYTES || isResponse(msg)) return undefined;
    this.stats.queries++;
    // Everything but the ID and the RD/CD bits decides the answer: opcode, counts, question, OPT.
    const key = msg.length <= CLASSIC_UDP_PAYLOAD ? String.fromCharCode((msg[2]! & 0x78) | (tcp ? 1 : 0)) + msg.toString('latin1', 4) : undefined;
    if (key !== undefined) {
      const hit = this.cache.get(key);
      if (hit) {
        this.stats.cacheHits++;
        return patchResponse(hit, msg);
      }
    }
    try {
      return this.resolve(msg, tcp, key).catch((err: unknown) => this.failed(msg, err));
    } catch (err) {
      return this.failed(msg, err);
    }
  }

  private failed(msg: Buffer, err: unknown): Buffer | undefined {
    this.stats.errors++;
    this.log.warn('query failed', { error: err instanceof Error ? err.message : String(err) });
    return headerOnlyReply(msg, 'SERVFAIL');
  }

  private async resolve(msg: Buffer, tcp: boolean, key: string | undefined): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return headerOnlyReply(msg, 'FORMERR');
    }
    if (opcodeOf(msg) !== 0) return headerOnlyReply(msg, 'NOTIMP');
    const questions = query.questions ?? [];
    if (questions.length !== 1 || (query.answers?.length ?? 0) > 0) return headerOnlyReply(msg, 'FORMERR');
    const q = questions[0]!;
    const limit = tcp ? TCP_LIMIT : udpLimit(query);
    const generation = this.generation;
    const inClass = q.class === undefined || q.class === 'IN' || q.class === 'ANY';
    const found = inClass ? this.zone.lookup(q.name, q.type) : undefined;
    if (!found) return this.forward(msg, query, tcp, limit);
    const { answers, additionals, external } = await this.chase(found, q.type);
    const negative = answers.length === 0;
    const reply = encodeResponse(query, {
      rcode: found.rcode, authoritative: true, answers, additionals, authorities: negative ? [this.zone.soa()] : [],
    }, limit);
    if (key !== undefined && !external && generation === this.generation) this.remember(key, reply);
    return reply;
  }

  private remember(key: string, reply: Buffer): void {
    if (this.cacheSize <= 0) return;
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, reply);
  }

  private async forward(msg: Buffer, query: DecodedPacket, tcp: boolean, limit: number): Promise<Buffer | undefined> {
    if (!this.forwarder || this.forwarder.upstreams.length === 0) return this.reply(query, 'REFUSED', limit);
    this.stats.forwarded++;
    const reply = await this.forwarder.forward(msg, tcp);
    return reply ?? this.reply(query, 'SERVFAIL', limit);
  }

  private reply(query: DecodedPacket, rcode: Rcode, limit: number): Buffer {
    return encodeResponse(query, { rcode, authoritative: false }, limit);
  }

  /**
   * An ExternalName's CNAME followed one step for address queries: through the zone when the
   * target is a cluster name, else through the upstreams (that answer is not cached: its TTL is not ours).
   */
  private async chase(found: ZoneAnswer, qtype: string): Promise<{ answers: Answer[]; additionals: Answer[]; external: boolean }> {
    const base = { answers: found.answers, additionals: found.additionals, external: false };
    if (!found.cname || (qtype !== 'A' && qtype !== 'AAAA')) return base;
    if (this.zone.inZone(found.cname)) {
      const inner = this.zone.lookup(found.cname, qtype);
      return inner ? { ...base, answers: [...found.answers, ...inner.answers] } : base;
    }
    if (!this.forwarder || this.forwarder.upstreams.length === 0) return base;
    const id = Math.floor(Math.random() * 65536);
    const sub = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: qtype as 'A', name: found.cname, class: 'IN' }] });
    const reply = await this.forwarder.forward(sub, false);
    if (!reply) return { ...base, external: true };
    try {
      const decoded = dnsPacket.decode(reply);
      return { ...base, answers: [...found.answers, ...(decoded.answers ?? [])], external: true };
    } catch {
      return { ...base, external: true };
    }
  }
}
