// The envelope of every Kubernetes protobuf body: the 4 bytes "k8s\0", then a runtime.Unknown
// message {TypeMeta typeMeta = 1 {apiVersion = 1, kind = 2}; bytes raw = 2; string
// contentEncoding = 3; string contentType = 4} whose raw field holds the object's own message.
import protobuf from 'protobufjs/minimal.js';
import { badRequest } from './status.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasProtobufMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0x00;
}

/** Magic + Unknown; the empty contentEncoding and contentType are written too, as Go does. */
export function wrapEnvelope(typeMeta: { apiVersion: string; kind: string }, raw: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork();
  w.uint32(0x0a).string(typeMeta.apiVersion);
  w.uint32(0x12).string(typeMeta.kind);
  w.ldelim();
  w.uint32(0x12).bytes(raw);
  w.uint32(0x1a).string('');
  w.uint32(0x22).string('');
  const body = w.finish();
  const out = new Uint8Array(4 + body.length);
  out.set(PROTOBUF_MAGIC, 0);
  out.set(body, 4);
  return out;
}

/** Reads the envelope; anything malformed is a 400 BadRequest. */
export function unwrapEnvelope(bytes: Uint8Array): ProtobufEnvelope {
  if (!hasProtobufMagic(bytes)) throw badRequest('the protobuf body does not start with the "k8s\\0" prefix of the Kubernetes protobuf envelope');
  const out: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  try {
    const r = protobuf.Reader.create(bytes.subarray(4));
    while (r.pos < r.len) {
      const tag = r.uint32();
      switch (tag) {
        case 0x0a: {
          const end = r.uint32() + r.pos;
          if (end > r.len) throw new Error('the type meta runs past the end of the body');
          while (r.pos < end) {
            const t = r.uint32();
            if (t === 0x0a) out.apiVersion = r.string();
            else if (t === 0x12) out.kind = r.string();
            else r.skipType(t & 7);
          }
          break;
        }
        case 0x12: out.raw = r.bytes(); break;
        case 0x1a: out.contentEncoding = r.string(); break;
        case 0x22: out.contentType = r.string(); break;
        default: r.skipType(tag & 7);
      }
    }
  } catch (e) {
    throw badRequest(`the protobuf envelope is malformed: ${(e as Error).message}`);
  }
  if (out.contentEncoding !== '') throw badRequest(`the protobuf body's content encoding "${out.contentEncoding}" is not supported`);
  return out;
}
