// How the pod network reaches the kernel: every change is an `ip`, `bridge` or `nft` command run
// through a runner, so tests can record the commands instead of running them, and a node living
// in a network namespace can have them run inside it.
import { execFile, spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the command's standard input (e.g. an `nft -f -` script). */
  input?: string;
}

/** Runs a command; resolves with its standard output, rejects (CommandError) when it fails. */
export type CommandRunner = (file: string, args: string[], opts?: RunOptions) => Promise<string>;

export class CommandError extends Error {
  constructor(readonly command: string, readonly code: number | null, readonly stderr: string) {
    super(`${command}: ${stderr.trim() || `exit code ${code}`}`);
  }
}

/** Runs the program directly (the host's own network). */
export const execRunner: CommandRunner = (file, args, opts = {}) => new Promise((resolve, reject) => {
  const command = [file, ...args].join(' ');
  if (opts.input === undefined) {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new CommandError(command, typeof err.code === 'number' ? err.code : null, String(stderr || err.message)));
      else resolve(String(stdout));
    });
    return;
  }
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += String(d); });
  child.stderr.on('data', (d) => { stderr += String(d); });
  child.on('error', (e) => reject(new CommandError(command, null, e.message)));
  child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new CommandError(command, code, stderr))));
  child.stdin.end(opts.input);
});

/** Runs every command inside the named network namespace (`ip netns exec <ns> …`). */
export function netnsRunner(namespace: string, base: CommandRunner = execRunner): CommandRunner {
  return (file, args, opts) => base('ip', ['netns', 'exec', namespace, file, ...args], opts);
}
