// Builders for the pods package's tests: runtime states in a line each.
import type { RuntimeContainer, RuntimeSandbox } from './runtime-state.js';

let seq = 0;

/** A runtime container; later calls are newer unless createdAt is given. */
export function rc(name: string, state: RuntimeContainer['state'], more: Partial<RuntimeContainer> = {}): RuntimeContainer {
  seq++;
  return {
    id: `${name}-${seq}`, name, state, createdAt: 1000 + seq, startedAt: state === 'created' ? 0 : 2000, finishedAt: state === 'exited' ? 3000 : 0,
    exitCode: 0, reason: '', message: '', image: `img/${name}`, imageRef: `sha256:${name}`, restartCount: 0, hash: '', ...more,
  };
}

export function sandbox(more: Partial<RuntimeSandbox> = {}): RuntimeSandbox {
  return { id: 'sb1', ready: true, attempt: 0, createdAt: 1, ips: ['10.42.0.5'], network: 'POD', ...more };
}
