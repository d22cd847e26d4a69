// Port-forward for WebSocket clients. kubectl tunnels SPDY inside binary WebSocket messages
// (`SPDY/3.1+portforward.k8s.io`): unwrapped into a byte stream towards the kubelet. The JS and
// Python clients use the channel protocol (`v4.channel.k8s.io` with `?ports=`): per port i,
// channel 2i carries data and 2i+1 errors, each opened by a frame holding the port; it is
// translated into the kubelet's SPDY portforward streams.
import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import type { WebSocket } from 'ws';
import { channelFrame, messageBuffer } from './websocket.js';
import { openStream, spdyClientSession } from './spdy-session.js';

/** Binary WebSocket messages carry the SPDY bytes, split anywhere. */
export function tunnelPortForward(ws: WebSocket, kubelet: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      kubelet.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      resolve();
    };
    ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => { kubelet.write(messageBuffer(raw)); });
    kubelet.on('data', (d: Buffer) => ws.send(d, { binary: true }));
    ws.on('close', finish);
    ws.on('error', finish);
    kubelet.on('close', finish);
    kubelet.on('error', finish);
  });
}

function portPrefix(channel: number, port: number): Buffer {
  return Buffer.from([channel, port & 0xff, (port >> 8) & 0xff]);
}

/** The channel protocol over SPDY streams; ends when every data stream has ended or either side closes. */
export function translatePortForward(ws: WebSocket, kubelet: Duplex, ports: number[]): Promise<void> {
  const session = spdyClientSession(kubelet);
  const conn = session.conn;
  let closed = false;
  const data: SpdyStream[] = [];
  const ends: Promise<void>[] = [];
  ports.forEach((port, i) => {
    const headers = (type: string) => ({ streamtype: type, port: String(port), requestid: String(i) });
    const error = openStream(conn, headers('error'));
    const stream = openStream(conn, headers('data'));
    data.push(stream);
    // Each channel opens with a frame naming its port (the clients check it).
    ws.send(portPrefix(2 * i, port));
    ws.send(portPrefix(2 * i + 1, port));
    stream.on('data', (d: Buffer) => { if (!closed) ws.send(channelFrame(2 * i, d)); });
    error.on('data', (d: Buffer) => { if (!closed) ws.send(channelFrame(2 * i + 1, d)); });
    ends.push(Promise.race([new Promise<void>((r) => { stream.once('end', () => r()); stream.once('close', () => r()); }), session.over]));
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const m = messageBuffer(raw);
    if (!m.length || m[0] % 2 !== 0) return;
    const stream = data[m[0] / 2];
    if (stream && m.length > 1) stream.write(m.subarray(1));
  });
  return new Promise((resolve) => {
    const finish = () => {
      if (closed) return;
      closed = true;
      session.close();
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    };
    ws.on('close', finish);
    ws.on('error', finish);
    void Promise.all(ends).then(finish);
  });
}
