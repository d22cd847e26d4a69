// The CRI-backed runtime manager: pods read back from the runtime, sandboxes and containers run
// and stopped, images ensured per pull policy, and streaming sessions.
export { RuntimeManager, MIN_GRACE_SECONDS, type CriServices, type RuntimeSnapshot } from './manager.js';
export { ImagePuller, ImageError, pullPolicy, type PresentImage } from './images.js';
export { CriStreams } from './streams.js';
