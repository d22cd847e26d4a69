// The termination message of an exited container, as the kubelet reads it: the file mounted at the
// container's terminationMessagePath (its last 4096 bytes), or, with the policy
// FallbackToLogsOnError, when that file is empty and the container failed, the end of its log (the
// last 80 lines, at most their last 2048 bytes). The runtime's own message, if any, comes first.
import { open } from 'node:fs/promises';
import type { ContainerStatus } from '../cri/types.js';
import { TERMINATION_MESSAGE_PATH_ANNOTATION, TERMINATION_MESSAGE_POLICY_ANNOTATION } from '../pods/labels.js';
import { MessageAssembler, parseCriLine } from '../server/cri-log.js';

/** Kubernetes' MaxContainerTerminationMessageLength. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
/** Kubernetes' MaxContainerTerminationMessageLogLines and …LogLength. */
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;
/** How much of the end of a log file is read to find its last lines. */
const LOG_TAIL_BYTES = 256 * 1024;
const NEWLINE = Buffer.from('\n');

/** The last `max` bytes of a file, and whether it was longer; throws as fs does (ENOENT). */
export async function readTail(path: string, max: number): Promise<{ data: Buffer; truncated: boolean }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, max);
    const data = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(data, got, length - got, size - length + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { data: data.subarray(0, got), truncated: size > max };
  } finally {
    await fh.close();
  }
}

/** The text of the last `lines` messages of a CRI log file (stdout and stderr), at most its last `bytes`. */
export async function lastLogLines(path: string, lines = FALLBACK_LOG_LINES, bytes = FALLBACK_LOG_BYTES): Promise<string> {
  const { data, truncated } = await readTail(path, LOG_TAIL_BYTES);
  let rows = splitLines(data);
  // A tail that starts inside a line drops that line.
  if (truncated) rows = rows.slice(1);
  const assembler = new MessageAssembler();
  const messages: Buffer[] = [];
  for (const row of rows) {
    const entry = parseCriLine(row);
    if (!entry) continue;
    const m = assembler.push(entry);
    if (!m) continue;
    messages.push(Buffer.concat([m.text, NEWLINE]));
  }
  const out = Buffer.concat(messages.slice(-lines));
  return out.subarray(Math.max(0, out.length - bytes)).toString('utf8');
}

function splitLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0) break;
    out.push(data.subarray(start, nl));
    start = nl + 1;
  }
  if (start < data.length) out.push(data.subarray(start));
  return out;
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException)?.code;

/**
 * What an exited container's status message is: the runtime's message joined (`: `) with the
 * termination message. Other states keep the runtime's message.
 */
export async function terminationMessage(status: ContainerStatus): Promise<string> {
  const own = status.message ?? '';
  if (status.state !== 'CONTAINER_EXITED') return own;
  const path = status.annotations?.[TERMINATION_MESSAGE_PATH_ANNOTATION] ?? '';
  const policy = status.annotations?.[TERMINATION_MESSAGE_POLICY_ANNOTATION] ?? 'File';
  // A container that could not even start has no logs worth falling back to.
  const fallback = policy === 'FallbackToLogsOnError' && status.exitCode !== 0 && status.reason !== 'ContainerCannotRun';
  let text = '';
  let checkLogs = fallback;
  const mount = path ? (status.mounts ?? []).find((m) => m.containerPath === path) : undefined;
  if (mount) {
    try {
      text = (await readTail(mount.hostPath, MAX_TERMINATION_MESSAGE_BYTES)).data.toString('utf8');
      checkLogs = fallback && text.length === 0;
    } catch (e) {
      if (errno(e) !== 'ENOENT') {
        text = `Error on reading termination log ${mount.hostPath}: ${(e as Error).message}`;
        checkLogs = false;
      }
    }
  }
  if (checkLogs && status.logPath) {
    try {
      text = await lastLogLines(status.logPath);
    } catch (e) {
      text = `Error on reading termination message from logs: ${(e as Error).message}`;
    }
  }
  if (!text) return own;
  return own ? `${own}: ${text}` : text;
}
