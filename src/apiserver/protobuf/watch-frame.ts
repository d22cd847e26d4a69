// Watch events in protobuf (`application/vnd.kubernetes.protobuf;stream=watch`): each frame is a
// 4-byte big-endian length, then a meta/v1 WatchEvent message {string type = 1; RawExtension
// object = 2 {bytes raw = 1}} written without envelope (the stream serializer is the raw one),
// whose raw holds the object in its own envelope.
import protobuf from 'protobufjs/minimal.js';
import { encodeProtobufBody } from './codec.js';

/** An object without a message (or one that does not fit it) is embedded as JSON, as RawExtension allows. */
function embed(object: unknown): Uint8Array {
  try {
    const bytes = encodeProtobufBody(object);
    if (bytes) return bytes;
  } catch {
    // fall through to JSON
  }
  return Buffer.from(JSON.stringify(object));
}

export function watchEventFrame(type: string, object: unknown): Buffer {
  const embedded = embed(object);
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(type);
  w.uint32(0x12).fork().uint32(0x0a).bytes(embedded).ldelim();
  const event = w.finish();
  const frame = Buffer.allocUnsafe(4 + event.length);
  frame.writeUInt32BE(event.length, 0);
  frame.set(event, 4);
  return frame;
}
