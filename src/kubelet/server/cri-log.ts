// The CRI container log format: one entry a line, `<RFC3339Nano> <stdout|stderr> <tags> <text>`,
// where the first tag is F (full line) or P (partial: joined with the entries that follow).

export interface CriLogEntry {
  /** The timestamp as written (RFC3339Nano), kept verbatim for `timestamps=true`. */
  timestamp: string;
  /** Milliseconds since the epoch, for `sinceTime`. */
  time: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: Buffer;
}

/** Parses one line (without its newline); undefined when it is not a CRI log entry. */
export function parseCriLine(line: Buffer): CriLogEntry | undefined {
  const a = line.indexOf(0x20);
  if (a <= 0) return undefined;
  const b = line.indexOf(0x20, a + 1);
  if (b < 0) return undefined;
  const stream = line.toString('latin1', a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  let c = line.indexOf(0x20, b + 1);
  // An entry with empty text may end right after its tags.
  if (c < 0) c = line.length;
  const tags = line.toString('latin1', b + 1, c).split(':');
  if (tags[0] !== 'F' && tags[0] !== 'P') return undefined;
  const timestamp = line.toString('latin1', 0, a);
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return undefined;
  return { timestamp, time, stream, partial: tags[0] === 'P', text: line.subarray(Math.min(c + 1, line.length)) };
}

/** A whole log message: the P fragments of one line joined with their closing F entry. */
export interface LogMessage {
  timestamp: string;
  time: number;
  stream: 'stdout' | 'stderr';
  text: Buffer;
}

/**
 * Joins partial entries into messages, per stream (stdout and stderr fragments can interleave).
 * Feed it entries in file order; each complete message comes back from `push`.
 */
export class MessageAssembler {
  private readonly pending = new Map<string, { first: CriLogEntry; parts: Buffer[] }>();

  push(e: CriLogEntry): LogMessage | undefined {
    const open = this.pending.get(e.stream);
    if (e.partial) {
      if (open) open.parts.push(e.text);
      else this.pending.set(e.stream, { first: e, parts: [e.text] });
      return undefined;
    }
    if (!open) return { timestamp: e.timestamp, time: e.time, stream: e.stream, text: e.text };
    this.pending.delete(e.stream);
    return { timestamp: open.first.timestamp, time: open.first.time, stream: e.stream, text: Buffer.concat([...open.parts, e.text]) };
  }
}

/** Splits a buffer into its complete lines; `rest` is the unterminated tail. */
export function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  return { lines, rest: buf.subarray(start) };
}

/** One message as `kubectl logs` prints it. */
export function renderMessage(m: LogMessage, timestamps: boolean): Buffer {
  const nl = Buffer.from('\n');
  return timestamps ? Buffer.concat([Buffer.from(`${m.timestamp} `), m.text, nl]) : Buffer.concat([m.text, nl]);
}
