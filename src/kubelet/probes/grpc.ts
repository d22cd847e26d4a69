// A grpc probe: grpc.health.v1.Health/Check on the pod IP, success when the answer is SERVING.
// The two tiny messages are encoded by hand (HealthCheckRequest{service=1},
// HealthCheckResponse{status=1}), so no .proto is needed.
import * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../apimachinery/clock.js';
import { joinHostPort } from './port.js';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  const len: number[] = [];
  let n = bytes.length;
  while (n >= 0x80) { len.push((n & 0x7f) | 0x80); n >>>= 7; }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), bytes]);
}

/** The status field of a HealthCheckResponse (0, UNKNOWN, when absent). */
export function decodeHealthCheckStatus(buf: Buffer): number {
  let i = 0;
  const varint = () => {
    let v = 0, shift = 0;
    while (i < buf.length) {
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return v;
  };
  let status = 0;
  while (i < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (key >>> 3 === 1 && wire === 0) status = varint();
    else if (wire === 0) varint();
    else if (wire === 2) i += varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else break;
  }
  return status;
}

export function grpcHealthCheck(host: string, port: number, service: string, timeoutMs: number, clock: Clock): Promise<{ ok: boolean; message: string }> {
  const addr = joinHostPort(host, port);
  const within = `${timeoutMs / 1000}s`;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, message: string) => {
      if (done) return;
      done = true;
      timer.cancel();
      call.cancel();
      client.close();
      resolve({ ok, message });
    };
    const timer = clock.setTimeout(() => finish(false, `timeout: health rpc did not complete within ${within}`), timeoutMs);
    const call = client.makeUnaryRequest<Buffer, Buffer>(
      '/grpc.health.v1.Health/Check', (b) => b, (b) => b, encodeHealthCheckRequest(service),
      { deadline: Date.now() + timeoutMs },
      (err, res) => {
        if (err) {
          if (err.code === grpc.status.UNIMPLEMENTED) return finish(false, `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`);
          if (err.code === grpc.status.DEADLINE_EXCEEDED) return finish(false, `timeout: health rpc did not complete within ${within}`);
          if (err.code === grpc.status.UNAVAILABLE) return finish(false, `timeout: failed to connect service ${JSON.stringify(addr)} within ${within}: ${err.details}`);
          return finish(false, `error: health rpc probe failed: ${err.message}`);
        }
        const status = decodeHealthCheckStatus(res ?? Buffer.alloc(0));
        if (status === 1) return finish(true, '');
        finish(false, `service unhealthy (responded with ${JSON.stringify(STATUS_NAMES[status] ?? String(status))})`);
      },
    );
  });
}
