// The Kubernetes protobuf wire format of built-in kinds: objects ↔ raw messages (the envelope is
// apimachinery's protobuf-envelope.ts).
export { decodeObject, encodeObject } from './codec.js';
export { hasMessage } from './plans.js';
