// DNS messages on the wire: header fields read and written in place (the answer cache patches a
// stored response's ID and RD bit), error replies built from a header alone, and responses
// encoded with dns-packet and truncated (TC) to what the client can take over UDP.
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet } from 'dns-packet';

export const HEADER_BYTES = 12;
/** The UDP payload every client takes (RFC 1035); EDNS0 can raise it up to MAX_UDP_PAYLOAD. */
export const CLASSIC_UDP_PAYLOAD = 512;
export const MAX_UDP_PAYLOAD = 4096;
/** What we advertise in our own OPT record (the DNS flag day 2020 size). */
export const ADVERTISED_UDP_PAYLOAD = 1232;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = keyof typeof RCODE;

const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const CD = 0x0010;

export function isResponse(msg: Buffer): boolean {
  return msg.length >= HEADER_BYTES && (msg.readUInt16BE(2) & QR) !== 0;
}

export function opcodeOf(msg: Buffer): number {
  return (msg.readUInt16BE(2) >> 11) & 0xf;
}

/** A reply carrying only a header: FORMERR, NOTIMP, REFUSED… for a message we will not parse further. */
export function headerOnlyReply(query: Buffer, rcode: Rcode): Buffer | undefined {
  if (query.length < HEADER_BYTES) return undefined;
  const out = Buffer.alloc(HEADER_BYTES);
  query.copy(out, 0, 0, 2);
  const flags = query.readUInt16BE(2);
  out.writeUInt16BE(QR | (flags & (0x7800 | RD)) | RA | RCODE[rcode], 2);
  return out;
}

/** Copies the query's ID and RD (and CD) bits into a stored response, in a fresh buffer. */
export function patchResponse(stored: Buffer, query: Buffer): Buffer {
  const out = Buffer.allocUnsafe(stored.length);
  stored.copy(out);
  out[0] = query[0]!;
  out[1] = query[1]!;
  const q = query.readUInt16BE(2);
  out.writeUInt16BE((out.readUInt16BE(2) & ~(RD | CD)) | (q & (RD | CD)), 2);
  return out;
}

/** The OPT record of a query, if it has one. */
export function optOf(query: DecodedPacket): OptAnswer | undefined {
  return query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

/** The largest UDP response the client takes: 512, or its EDNS0 size (capped). */
export function udpLimit(query: DecodedPacket): number {
  const opt = optOf(query);
  if (!opt) return CLASSIC_UDP_PAYLOAD;
  return Math.min(MAX_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, opt.udpPayloadSize || 0));
}

export interface ResponseParts {
  rcode: Rcode;
  authoritative: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

/**
 * The encoded response to `query` (its ID, question, RD/CD bits; an OPT record when it sent one),
 * truncated to the question (with TC) when it exceeds `limit` bytes.
 */
export function encodeResponse(query: DecodedPacket, parts: ResponseParts, limit: number): Buffer {
  const qflags = query.flags ?? 0;
  const flags = (qflags & (RD | CD)) | RA | (parts.authoritative ? AA : 0) | RCODE[parts.rcode];
  const opt: Answer[] = optOf(query)
    ? [{ type: 'OPT', name: '.', udpPayloadSize: ADVERTISED_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as Answer]
    : [];
  const packet: Packet = {
    type: 'response', id: query.id ?? 0, flags,
    questions: query.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: [...(parts.additionals ?? []), ...opt],
  };
  const full = dnsPacket.encode(packet);
  if (full.length <= limit) return full;
  // Without the extra records first (they are optional), then with no records at all and TC set.
  if (packet.additionals!.length > opt.length) {
    const lean = dnsPacket.encode({ ...packet, additionals: opt });
    if (lean.length <= limit) return lean;
  }
  return dnsPacket.encode({ ...packet, flags: flags | TC, answers: [], authorities: [], additionals: opt });
}
