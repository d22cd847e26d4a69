// Exec and attach for WebSocket clients: the channel protocol (v5/v4.channel.k8s.io) translated to
// the SPDY remotecommand streams the kubelet speaks, as Kubernetes' stream translator does.
import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import type { WebSocket } from 'ws';
import { channelFrame, messageBuffer } from './websocket.js';
import { openStream, spdyClientSession } from './spdy-session.js';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** v5: `[255, channel]` closes that channel (stdin's end of input). */
export const CLOSE = 255;

export interface RemoteCommandStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const SUCCESS = '{"metadata":{},"status":"Success"}';

/**
 * Joins a WebSocket client to a SPDY connection already upgraded with the kubelet (protocol
 * v4.channel.k8s.io). Resolves when the session is over and both sides are closed.
 */
export function translateRemoteCommand(ws: WebSocket, protocol: string, kubelet: Duplex, want: RemoteCommandStreams): Promise<void> {
  const session = spdyClientSession(kubelet);
  const conn = session.conn;
  const sent: Promise<void>[] = [];
  const open = (type: string): SpdyStream => {
    let done!: () => void;
    sent.push(new Promise((r) => { done = r; }));
    return openStream(conn, { streamtype: type }, done);
  };
  // The error stream first, as Kubernetes' clients create it; the kubelet waits for all it expects.
  const error = open('error');
  const stdin = want.stdin ? open('stdin') : undefined;
  const stdout = want.stdout ? open('stdout') : undefined;
  const stderr = want.stderr && !want.tty ? open('stderr') : undefined;
  const resize = want.tty ? open('resize') : undefined;

  let closed = false;
  const ended = (s: SpdyStream | undefined) => s
    ? Promise.race([new Promise<void>((r) => { s.once('end', () => r()); s.once('close', () => r()); }), session.over])
    : Promise.resolve();

  const errorChunks: Buffer[] = [];
  error.on('data', (d: Buffer) => errorChunks.push(d));
  const forward = (s: SpdyStream | undefined, channel: number) => s?.on('data', (d: Buffer) => {
    if (!closed) ws.send(channelFrame(channel, d));
  });
  forward(stdout, STDOUT);
  forward(stderr, STDERR);

  // Client input waits until every stream is announced, so none arrives before its peers exist.
  let ready = false;
  const queued: Buffer[] = [];
  void Promise.all(sent).then(() => {
    ready = true;
    for (const m of queued.splice(0)) onMessage(m);
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const data = messageBuffer(raw);
    if (ready) onMessage(data);
    else queued.push(data);
  });
  const onMessage = (data: Buffer) => {
    if (!data.length) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDIN:
        if (stdin && payload.length) stdin.write(payload);
        break;
      case RESIZE:
        if (resize && payload.length) resize.write(payload);
        break;
      case CLOSE:
        if (protocol === 'v5.channel.k8s.io' && payload[0] === STDIN) stdin?.end();
        break;
    }
  };

  const teardown = () => {
    if (closed) return;
    closed = true;
    session.close();
  };
  ws.on('close', teardown);
  ws.on('error', teardown);

  return (async () => {
    await Promise.all([ended(error), ended(stdout), ended(stderr)]);
    if (!closed) {
      ws.send(channelFrame(ERROR, statusPayload(Buffer.concat(errorChunks).toString('utf8'))));
      ws.close(1000);
    }
    teardown();
  })();
}

/** The kubelet's v4 error stream carries a Status; older texts become a Failure Status. */
export function statusPayload(text: string): string {
  const t = text.trim();
  if (!t) return SUCCESS;
  try {
    const s = JSON.parse(t) as { status?: string };
    if (s && typeof s === 'object' && s.status) return t;
  } catch { /* plain text */ }
  return JSON.stringify({ metadata: {}, status: 'Failure', message: t, reason: 'InternalError', code: 500 });
}
