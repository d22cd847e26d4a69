// In-process connections: a pair of in-memory streams standing in for a socket, so components
// in the same process as the API server call its handler without a network hop or TLS.
import { Duplex } from 'node:stream';

type SocketLike = Duplex & {
  setKeepAlive(): SocketLike;
  setNoDelay(): SocketLike;
  setTimeout(ms: number, cb?: () => void): SocketLike;
  ref(): SocketLike;
  unref(): SocketLike;
  remoteAddress: string;
};

/** Two connected ends: what one writes, the other reads. */
export function socketPair(): [SocketLike, SocketLike] {
  let a: SocketLike | undefined;
  let b: SocketLike | undefined;
  const end = (peer: () => SocketLike | undefined): SocketLike => {
    const d = new Duplex({
      read() {},
      write(chunk, _enc, cb) { peer()?.push(chunk); cb(); },
      final(cb) { peer()?.push(null); cb(); },
      destroy(err, cb) {
        const p = peer();
        if (p && !p.destroyed) p.destroy();
        cb(err);
      },
    }) as SocketLike;
    // The HTTP machinery tunes real sockets; for a memory pipe these are no-ops.
    d.setKeepAlive = () => d;
    d.setNoDelay = () => d;
    d.setTimeout = () => d;
    d.ref = () => d;
    d.unref = () => d;
    d.remoteAddress = '127.0.0.1';
    return d;
  };
  a = end(() => b);
  b = end(() => a);
  return [a, b];
}
