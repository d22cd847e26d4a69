// The contract of a direct in-process call into the API server's handler: what the caller
// (src/client's directTransport) hands over and where the server (src/apiserver/direct.ts)
// writes its response. Kept here so both sides share one declaration.
import type { IncomingHttpHeaders } from 'node:http';

/** A request handed straight to a server's handler; header names in lower case. */
export interface DirectRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Where the server writes its response, as it writes it. */
export interface DirectSink {
  head(status: number, headers: IncomingHttpHeaders): void;
  data(chunk: Buffer): void;
  /** The response is complete, or (with an error) was cut off. */
  end(err?: Error): void;
  /** Bytes handed over and not yet read (a client that lets too much pile up is cut off). */
  buffered(): number;
}

/** Starts a request in a server of the same process; the function it returns aborts it. */
export type DirectHandler = (req: DirectRequest, sink: DirectSink) => () => void;
