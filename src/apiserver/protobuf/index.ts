// The Kubernetes protobuf format on the API server's wire: negotiation, bodies, watch frames.
export { answersInProtobuf, negotiateProtobuf, prefersProtobuf, PROTOBUF_MEDIA_TYPE, PROTOBUF_WATCH_MEDIA_TYPE } from './media.js';
export { decodeProtobufBody, encodeProtobufBody } from './codec.js';
export { watchEventFrame } from './watch-frame.js';
