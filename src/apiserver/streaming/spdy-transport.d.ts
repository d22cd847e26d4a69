// The parts of `spdy-transport` (no published types) that the streaming code uses.
declare module 'spdy-transport' {
  import type { Duplex } from 'node:stream';
  import type { EventEmitter } from 'node:events';

  export interface SpdyStream extends Duplex {
    id: number;
    headers: Record<string, string>;
    respond(status: number, headers: Record<string, string>, callback?: (err?: Error) => void): void;
    abort(code?: string, callback?: () => void): void;
  }

  export interface SpdyConnection extends EventEmitter {
    start(version: number): void;
    request(
      uri: { method: string; path: string; host?: string; headers: Record<string, string>; priority?: unknown },
      callback?: (err: Error | null, stream: SpdyStream) => void,
    ): SpdyStream;
    ping(callback?: () => void): void;
    end(callback?: () => void): void;
    destroyStreams(err?: Error): void;
    on(event: 'stream', listener: (stream: SpdyStream) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'close' | 'version', listener: (...args: unknown[]) => void): this;
  }

  const transport: {
    connection: {
      create(socket: Duplex, options: { protocol: 'spdy' | 'http2'; isServer: boolean; windowSize?: number; autoSpdy31?: boolean; maxChunk?: number | false }): SpdyConnection;
    };
  };
  export default transport;
}
