// DNS over TCP (RFC 1035 4.2.2, RFC 7766): every message is preceded by its length in two bytes,
// and one connection may carry several messages, split across reads in any way.

/** `msg` with its two-byte length in front, ready to write to a TCP connection. */
export function frameTcpMessage(msg: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(msg.length + 2);
  framed.writeUInt16BE(msg.length, 0);
  framed.set(msg, 2);
  return framed;
}

/** Collects a connection's reads and hands back each message once all of it has arrived. */
export class TcpMessageSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** The messages `chunk` completes, in order (none while one is still partial). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) break;
      out.push(this.buf.subarray(2, 2 + len));
      this.buf = this.buf.subarray(2 + len);
    }
    return out;
  }
}
