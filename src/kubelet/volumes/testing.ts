// Fakes for tests of the volumes and of their users: a token source that counts requests and a
// mounter that records instead of mounting.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Mounter } from './mounter.js';
import type { TokenSource } from './tokens.js';

export function fakeTokenSource(): TokenSource & { requests: { ns: string; sa: string; req: TokenRequest }[]; fail: boolean } {
  const src = {
    requests: [] as { ns: string; sa: string; req: TokenRequest }[],
    fail: false,
    async request(ns: string, sa: string, req: TokenRequest): Promise<TokenRequest> {
      if (src.fail) throw new Error('server unavailable');
      src.requests.push({ ns, sa, req });
      return { ...req, status: { token: `token-${src.requests.length}`, expirationTimestamp: '2030-01-01T00:00:00Z' } };
    },
  };
  return src;
}

export function fakeMounter(): Mounter & { mounted: Map<string, number | undefined> } {
  const mounted = new Map<string, number | undefined>();
  return {
    mounted,
    async mountTmpfs(target, opts = {}) {
      if (mounted.has(target)) throw new Error(`${target} is already mounted`);
      mounted.set(target, opts.sizeBytes);
    },
    async unmount(target) {
      if (!mounted.delete(target)) throw new Error(`${target} is not mounted`);
    },
    async mountsUnder(dir) {
      return [...mounted.keys()].filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
    },
  };
}
