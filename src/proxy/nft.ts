// Running nft: every change is one `nft -f -` transaction read from stdin, so the kernel sees the
// whole sync or none of it. The command runner is injected so tests can run nft inside a network
// namespace (`ip netns exec NS nft`) or record transactions without running anything.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` (program first) with `stdin` as its standard input. */
export type CommandRunner = (argv: string[], stdin?: string) => Promise<CommandResult>;

export const spawnRunner: CommandRunner = (argv, stdin) => new Promise((resolve) => {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.on('error', (err) => resolve({ code: 127, stdout, stderr: stderr + err.message }));
  child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  child.stdin.on('error', () => { /* reported through the exit code */ });
  child.stdin.end(stdin ?? '');
});

export class NftError extends Error {
  constructor(readonly result: CommandResult) {
    super(`nft failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(0, 6).join('; ')}`);
  }
}

export interface NftOptions {
  run?: CommandRunner;
  /** The nft command; default `['nft']`, e.g. `['ip', 'netns', 'exec', 'ns1', 'nft']`. */
  command?: string[];
}

/** Applies `text` as one atomic transaction. */
export async function applyNft(text: string, opts: NftOptions = {}): Promise<void> {
  const result = await (opts.run ?? spawnRunner)([...(opts.command ?? ['nft']), '-f', '-'], text);
  if (result.code !== 0) throw new NftError(result);
}

/** Deletes the proxy's table (and with it every chain, map and set in it); absent is fine. */
export async function cleanupTable(table: string, opts: NftOptions = {}): Promise<void> {
  // "add" first makes the delete succeed whether or not the table exists, in one transaction.
  await applyNft(`add table ip ${table}\ndelete table ip ${table}\n`, opts);
}

/** Whether an nft binary answers (the proxy's nftables mode needs one). */
export async function nftAvailable(opts: NftOptions = {}): Promise<boolean> {
  const result = await (opts.run ?? spawnRunner)([...(opts.command ?? ['nft']), '--version']);
  return result.code === 0;
}
