// A SPDY/3.1 client session over a connection upgraded with the kubelet. The runtime ends a
// session by closing the connection right after its last frames (the exit Status among them), so
// "over" must mean every received frame has been parsed and delivered, not just "socket closed":
// spdy-transport would otherwise drop streams whose frames are still being parsed.
import { Duplex } from 'node:stream';
import spdy from 'spdy-transport';
import type { SpdyConnection, SpdyStream } from 'spdy-transport';

export interface SpdySession {
  conn: SpdyConnection;
  /** Resolves once the connection has closed and all it carried has reached the streams. */
  over: Promise<void>;
  close(): void;
}

export function spdyClientSession(socket: Duplex): SpdySession {
  // spdy-transport sees this wrapper, which stays open until the session is closed here.
  const wire = new Duplex({
    autoDestroy: false,
    read() { socket.resume(); },
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed) return cb();
      socket.write(chunk, () => cb());
    },
    destroy(err, cb) { socket.destroy(); cb(err); },
  });
  wire.on('error', () => {});
  socket.on('data', (d: Buffer) => { if (!wire.push(d)) socket.pause(); });
  let socketClosed!: () => void;
  const closed = new Promise<void>((r) => { socketClosed = r; });
  socket.once('end', () => wire.push(null));
  socket.once('close', () => { wire.push(null); socketClosed(); });
  socket.on('error', () => {});

  const conn = spdy.connection.create(wire, { protocol: 'spdy', isServer: false });
  conn.on('error', () => {});
  withoutFlowControl(windowsOf(conn));
  conn.start(3);
  const parser = (conn as unknown as { _spdyState: { parser: NodeJS.WritableStream & { writableFinished?: boolean } } })._spdyState.parser;
  const parsed = new Promise<void>((r) => {
    if (parser.writableFinished) r();
    else parser.once('finish', () => r());
  });
  const over = closed.then(() => parsed).then(() => new Promise<void>((r) => setImmediate(r)));
  return {
    conn,
    over,
    close() {
      conn.destroyStreams();
      wire.destroy();
    },
  };
}

// Go's SPDY peers (moby/spdystream, in containerd's streaming server and in kubectl) speak SPDY/3
// without flow control: they never send WINDOW_UPDATE, and a session-level one (SPDY/3.1) ends
// the connection. So our sessions are SPDY/3, send without a window, and announce none.
const UNLIMITED_WINDOW = 2 ** 40;

interface WindowSide { current: number; max: number; limit: number; lowWaterMark: number }
interface Windows { send: WindowSide; recv: WindowSide }

function withoutFlowControl(w: Windows): void {
  w.send.current = UNLIMITED_WINDOW;
  w.send.max = UNLIMITED_WINDOW;
  w.send.limit = Infinity;
  // A receive window that never drains sends no WINDOW_UPDATE.
  w.recv.lowWaterMark = -Infinity;
  w.recv.limit = Infinity;
}

function windowsOf(owner: SpdyStream | SpdyConnection): Windows {
  return (owner as unknown as { _spdyState: { window: Windows } })._spdyState.window;
}

/**
 * Opens a stream with these headers; `onSent` runs once its SYN_STREAM is out. Go's SPDY servers
 * reply without an HTTP `:status`, which spdy-transport would answer with a RST_STREAM: our
 * streams take the reply as plain headers instead.
 */
export function openStream(conn: SpdyConnection, headers: Record<string, string>, onSent?: () => void): SpdyStream {
  const stream = conn.request({ method: 'POST', path: '/', headers }, () => onSent?.());
  (stream as unknown as { _spdyState: { needResponse: boolean } })._spdyState.needResponse = false;
  withoutFlowControl(windowsOf(stream));
  stream.on('error', () => {});
  return stream;
}
