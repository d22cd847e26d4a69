// Watch events in protobuf (`application/vnd.kubernetes.protobuf;stream=watch`): each frame is a
// 4-byte big-endian length, then a meta/v1 WatchEvent message {string type = 1; RawExtension
// object = 2 {bytes raw = 1}} written without envelope (the stream serializer is the raw one),
// whose raw holds the object in its own envelope.
import protobuf from 'protobufjs/minimal.js';
import { encodeProtobufBody } from './codec.js';

export function watchEventFrame(type: string, object: unknown): Buffer {
  const embedded = encodeProtobufBody(object) ?? Buffer.from(JSON.stringify(object));
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(type);
  w.uint32(0x12).fork().uint32(0x0a).bytes(embedded).ldelim();
  const event = w.finish();
  const frame = Buffer.allocUnsafe(4 + event.length);
  frame.writeUInt32BE(event.length, 0);
  frame.set(event, 4);
  return frame;
}
