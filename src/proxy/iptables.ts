// Running iptables: a sync reads what exists with iptables-save, then sends the whole ruleset to
// one `iptables-restore --noflush`, which replaces every KITE-* chain in one commit per table and
// leaves everyone else's rules alone. The command runner is injected like nft's; a prefix such as
// `['ip', 'netns', 'exec', 'ns1']` runs the commands inside a network namespace.
import { type CommandResult, type CommandRunner, spawnRunner } from './nft.js';
import { CHAIN_PREFIX } from './iptables-names.js';
import { type ExistingIptables, type IptablesTable, jumpKey, nothingExisting } from './iptables-render.js';

export interface IptablesOptions {
  run?: CommandRunner;
  /** Put before `iptables-save`, `iptables-restore` and `iptables`; e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  prefix?: string[];
}

export class IptablesError extends Error {
  constructor(readonly command: string, readonly result: CommandResult) {
    super(`${command} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(0, 6).join('; ')}`);
  }
}

async function exec(opts: IptablesOptions, argv: string[], stdin?: string): Promise<CommandResult> {
  return (opts.run ?? spawnRunner)([...(opts.prefix ?? []), ...argv], stdin);
}

/** One rule of iptables-save in a built-in chain that jumps into a KITE-* chain. */
export interface SavedJump {
  table: IptablesTable;
  chain: string;
  target: string;
  /** The rule as iptables-save printed it, without `-A CHAIN`. */
  spec: string;
}

export interface SavedState extends ExistingIptables {
  jumpRules: SavedJump[];
}

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** Our chains and jumps in the output of `iptables-save` (tables other than filter and nat are ignored). */
export function parseIptablesSave(text: string): SavedState {
  const state: SavedState = { ...nothingExisting(), jumpRules: [] };
  let table: IptablesTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      table = name === 'filter' || name === 'nat' ? name : undefined;
      continue;
    }
    if (!table) continue;
    if (line.startsWith(`:${CHAIN_PREFIX}`)) {
      state.chains[table].add(line.slice(1).split(' ')[0]!);
      continue;
    }
    const m = /^-A (\S+) (.*)-j (KITE-\S+)\s*$/.exec(line);
    if (m && BUILTIN.has(m[1]!)) {
      state.jumps.add(jumpKey(table, m[1]!, m[3]!));
      state.jumpRules.push({ table, chain: m[1]!, target: m[3]!, spec: `${m[2]!}-j ${m[3]!}` });
    }
  }
  return state;
}

/** What iptables holds of ours now. */
export async function readIptables(opts: IptablesOptions = {}): Promise<SavedState> {
  const state: SavedState = { ...nothingExisting(), jumpRules: [] };
  for (const table of ['filter', 'nat'] as const) {
    const result = await exec(opts, ['iptables-save', '-t', table]);
    if (result.code !== 0) throw new IptablesError('iptables-save', result);
    const part = parseIptablesSave(result.stdout);
    for (const c of part.chains[table]) state.chains[table].add(c);
    for (const j of part.jumps) state.jumps.add(j);
    state.jumpRules.push(...part.jumpRules);
  }
  return state;
}

/** Feeds `text` to `iptables-restore --noflush` (each table is committed as a whole). */
export async function applyIptables(text: string, opts: IptablesOptions = {}): Promise<void> {
  const result = await exec(opts, ['iptables-restore', '-w', '5', '--noflush'], text);
  if (result.code !== 0) throw new IptablesError('iptables-restore', result);
}

/** The restore input removing our jumps and every KITE-* chain. */
export function renderCleanup(state: SavedState): string {
  const lines: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const chains = [...state.chains[table]].sort();
    const jumps = state.jumpRules.filter((j) => j.table === table);
    if (chains.length === 0 && jumps.length === 0) continue;
    lines.push(`*${table}`);
    for (const j of jumps) lines.push(`-D ${j.chain} ${j.spec}`);
    // Every chain is emptied before any is deleted, so no reference between them is left.
    for (const c of chains) lines.push(`:${c} - [0:0]`);
    for (const c of chains) lines.push(`-X ${c}`);
    lines.push('COMMIT');
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Removes our jump rules and every KITE-* chain from filter and nat; nothing there is fine. */
export async function cleanupIptables(opts: IptablesOptions = {}): Promise<void> {
  const text = renderCleanup(await readIptables(opts));
  if (text) await applyIptables(text, opts);
}

/** Whether iptables answers and can read the nat table (the iptables mode needs both). */
export async function iptablesAvailable(opts: IptablesOptions = {}): Promise<boolean> {
  const restore = await exec(opts, ['iptables-restore', '--version']);
  if (restore.code !== 0) return false;
  return (await exec(opts, ['iptables', '-w', '5', '-t', 'nat', '-L', '-n'])).code === 0;
}
