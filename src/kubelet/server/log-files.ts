// Container logs from the CRI log files under the agent's pod log directory: tail, since, stream
// selection, timestamps, limitBytes, and follow that notices a rotated file.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { containerLogPath, podLogDir, type AgentPaths } from '../paths.js';
import { MessageAssembler, parseCriLine, renderMessage, splitLines, type LogMessage } from './cri-log.js';
import { KubeletError, type LogOptions, type LogSource } from './types.js';

/** The container instance whose log is asked for, as the pod workers know it. */
export interface ContainerInstance {
  podUID: string;
  restartCount: number;
  /**
   * Waiting to be restarted: the newest instance is dead, so `previous` means it (the container
   * of lastState), as Kubernetes' kubelet does; otherwise `previous` is the one before.
   */
  waiting?: boolean;
  /** Whether this instance still runs (a follow ends once it stopped and its log is read). */
  running(): boolean;
}

export interface CriLogFilesOptions {
  paths: AgentPaths;
  /** Finds the container's current instance; throws KubeletError when the pod or container is unknown or not started. */
  locate(namespace: string, pod: string, container: string): ContainerInstance;
  /** How often a follow looks for new lines. */
  pollMs?: number;
}

export class CriLogFiles implements LogSource {
  constructor(private readonly opts: CriLogFilesOptions) {}

  async open(namespace: string, pod: string, container: string, o: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const inst = this.opts.locate(namespace, pod, container);
    let restartCount = inst.restartCount;
    let running = () => inst.running();
    if (o.previous) {
      if (!inst.waiting) restartCount -= 1;
      running = () => false;
      if (restartCount < 0) throw new KubeletError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    }
    const path = join(podLogDir(this.opts.paths, namespace, pod, inst.podUID), containerLogPath(container, restartCount));
    try {
      await stat(path);
    } catch {
      if (o.previous) throw new KubeletError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
      throw new KubeletError(404, `container "${container}" in pod "${pod}" has no log file`);
    }
    return readLog(path, o, o.follow ? running : () => false, signal, this.opts.pollMs ?? 200);
  }
}

/** Reads a CRI log file with the options; with `follow` it waits for lines while `running()`. */
export async function* readLog(path: string, o: LogOptions, running: () => boolean, signal: AbortSignal, pollMs = 200): AsyncGenerator<Buffer> {
  const wanted = (m: LogMessage) => (o.sinceTime === undefined || m.time >= o.sinceTime)
    && (!o.stream || o.stream === 'All' || m.stream === o.stream.toLowerCase());
  let budget = o.limitBytes ?? Infinity;
  const emit = (m: LogMessage): Buffer | undefined => {
    if (budget <= 0) return undefined;
    let out = renderMessage(m, o.timestamps);
    if (out.length > budget) out = out.subarray(0, budget);
    budget -= out.length;
    return out;
  };

  const assembler = new MessageAssembler();
  let file: FileHandle = await open(path, 'r');
  try {
    let ino = (await file.stat()).ino;
    let offset = 0;
    let rest: Buffer = Buffer.alloc(0);
    // Everything already written: parsed at once so `tailLines` can keep only the last messages.
    const first = await readFrom(file, 0);
    offset = first.length;
    const { lines, rest: r0 } = splitLines(first);
    rest = r0;
    let messages: LogMessage[] = [];
    for (const line of lines) {
      const e = parseCriLine(line);
      const m = e && assembler.push(e);
      if (m && wanted(m)) messages.push(m);
    }
    if (o.tailLines !== undefined) messages = o.tailLines > 0 ? messages.slice(-o.tailLines) : [];
    for (const m of messages) {
      const out = emit(m);
      if (!out) return;
      yield out;
    }
    if (!o.follow) return;

    while (!signal.aborted && budget > 0) {
      const chunk = await readFrom(file, offset);
      if (chunk.length) {
        offset += chunk.length;
        const split = splitLines(Buffer.concat([rest, chunk]));
        rest = split.rest;
        for (const line of split.lines) {
          const e = parseCriLine(line);
          const m = e && assembler.push(e);
          if (!m || !wanted(m)) continue;
          const out = emit(m);
          if (!out) return;
          yield out;
        }
        continue;
      }
      // At the end of this file: a rotated log continues in a new file at the same path.
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== ino) {
        await file.close();
        file = await open(path, 'r');
        ino = (await file.stat()).ino;
        offset = 0;
        rest = Buffer.alloc(0);
        continue;
      }
      if (now && now.size < offset) {
        offset = 0; // truncated in place
        rest = Buffer.alloc(0);
        continue;
      }
      if (!running()) return;
      await sleep(pollMs, signal);
    }
  } finally {
    await file.close().catch(() => {});
  }
}

async function readFrom(file: FileHandle, offset: number): Promise<Buffer> {
  const size = (await file.stat()).size;
  if (size <= offset) return Buffer.alloc(0);
  const buf = Buffer.alloc(size - offset);
  const { bytesRead } = await file.read(buf, 0, buf.length, offset);
  return buf.subarray(0, bytesRead);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
