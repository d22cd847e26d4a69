// For tests: a node whose KubeletServer is real and whose container runtime streaming server is
// played by spdy-transport (SPDY remotecommand and portforward, as containerd serves them).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import spdy from 'spdy-transport';
import type { SpdyStream } from 'spdy-transport';
import { KubeletServer } from '../server.js';
import type { LogOptions } from '../types.js';

// Go's SPDY clients (kubectl's fallback) open streams without the HTTP pseudo-headers that
// spdy-transport's server side insists on; for this fake, missing ones are filled in.
let parserPatched = false;
function acceptStreamsWithoutPseudoHeaders(): void {
  if (parserPatched) return;
  parserPatched = true;
  type KVs = (buf: unknown, cb: (err: Error | null, headers?: Record<string, string>) => void) => void;
  const lib = spdy as unknown as { protocol: { spdy: { parser: { create(o: object): { parseKVs: KVs } } } } };
  const proto = Object.getPrototypeOf(lib.protocol.spdy.parser.create({})) as { parseKVs: KVs };
  const original = proto.parseKVs;
  proto.parseKVs = function (this: unknown, buf, cb) {
    original.call(this, buf, (err, headers) => {
      if (!err && headers) {
        headers[':method'] ??= 'POST';
        headers[':path'] ??= '/';
      }
      cb(err, headers);
    });
  };
}

export interface FakeNode {
  port: number;
  /** Everything the runtime saw: upgrade paths, stream types, resize messages, log requests. */
  seen: { paths: string[]; streams: string[]; resizes: string[]; logs: { container: string; opts: LogOptions }[] };
  close(): Promise<void>;
}

/**
 * exec: stdin comes back upper-cased on stdout and as-is on stderr; when stdin ends the command
 * "exits" with code 3 (a Failure Status on the error stream). portforward: data comes back
 * prefixed with the port.
 */
export async function startFakeNode(tls: { cert: string; key: string; clientCA: string }): Promise<FakeNode> {
  acceptStreamsWithoutPseudoHeaders();
  const seen: FakeNode['seen'] = { paths: [], streams: [], resizes: [], logs: [] };
  const sockets = new Set<Duplex>();
  const runtime = createServer((_req, res) => { res.writeHead(404); res.end(); });
  runtime.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    seen.paths.push(req.url ?? '');
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
    const picked = req.url!.startsWith('/portforward') ? 'portforward.k8s.io' : offered.includes('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${picked}\r\n\r\n`);
    const conn = spdy.connection.create(socket, { protocol: 'spdy', isServer: true });
    conn.on('error', () => {});
    const streams: Record<string, SpdyStream> = {};
    let stdoutReady!: () => void;
    const whenStdout = new Promise<void>((r) => { stdoutReady = r; });
    conn.on('stream', (s: SpdyStream) => {
      s.on('error', () => {});
      s.respond(200, {});
      const type = s.headers.streamtype;
      seen.streams.push(type + (s.headers.port ? `:${s.headers.port}` : ''));
      streams[type] = s;
      if (type === 'data') {
        s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from(`${s.headers.port}:`), d])));
        s.on('end', () => s.end());
      }
      if (type === 'resize') s.on('data', (d: Buffer) => seen.resizes.push(d.toString()));
      if (type === 'stdout') stdoutReady();
      if (type === 'stdin') {
        // As the kubelet's server does, the command starts once its output streams exist.
        let chain = whenStdout;
        s.on('data', (d: Buffer) => {
          chain = chain.then(() => {
            streams.stdout?.write(d.toString().toUpperCase());
            streams.stderr?.write(d);
          });
        });
        s.on('end', () => chain = chain.then(() => {
          const status = { metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: error executing command [sh], exit code 3', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } };
          streams.error?.end(JSON.stringify(status));
          streams.stdout?.end();
          streams.stderr?.end();
        }));
      }
    });
  });
  await new Promise<void>((r) => runtime.listen(0, '127.0.0.1', r));
  const runtimePort = (runtime.address() as AddressInfo).port;
  const abort = new AbortController();
  const kubelet = new KubeletServer({
    tls, port: 0, host: '127.0.0.1',
    logs: {
      async open(_ns, _pod, container, opts) {
        seen.logs.push({ container, opts });
        return (async function* () { yield Buffer.from(`${container} line 1\n`); yield Buffer.from(`${container} line 2\n`); })();
      },
    },
    streams: {
      async exec(_ns, _pod, container) { return `http://127.0.0.1:${runtimePort}/exec/${container}`; },
      async attach(_ns, _pod, container) { return `http://127.0.0.1:${runtimePort}/attach/${container}`; },
      async portForward(_ns, pod) { return `http://127.0.0.1:${runtimePort}/portforward/${pod}`; },
    },
  });
  await kubelet.start(abort.signal);
  return {
    port: kubelet.address().port,
    seen,
    async close() {
      abort.abort();
      await kubelet.stopped;
      for (const s of sockets) s.destroy();
      runtime.closeAllConnections();
      await new Promise((r) => runtime.close(r));
    },
  };
}
