// The ClusterIPs the userspace proxy listens on must be local addresses: each is added as a /32 to
// a device (lo by default) with a label of ours, so the proxy knows — even after a restart — which
// addresses it added. Only those are ever removed; an address that was already there is left alone.
import { spawnRunner, type CommandRunner } from './nft.js';

/** `ip -o -4 addr show` lines: `1: lo    inet 10.43.0.5/32 scope global lo:kp\ ...`. */
export function parseAddresses(text: string): { ip: string; prefix: number; device: string; label: string }[] {
  const out: { ip: string; prefix: number; device: string; label: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)(.*)$/.exec(line.trim());
    if (!m) continue;
    const rest = m[4]!.split('\\')[0]!.trim().split(/\s+/);
    // The label, when present, is the last word before the lifetimes and names the device.
    const last = rest[rest.length - 1] ?? '';
    out.push({ ip: m[2]!, prefix: Number(m[3]), device: m[1]!, label: last.startsWith(m[1]!) ? last : m[1]! });
  }
  return out;
}

/** The label marking our addresses on `device` (labels are `device:suffix`, 15 characters at most). */
export function ownLabel(device: string): string | undefined {
  const label = `${device}:kp`;
  return label.length <= 15 ? label : undefined;
}

export interface AddressOptions {
  device?: string;
  run?: CommandRunner;
  /** The ip command; default `['ip']`, e.g. `['ip', '-n', 'ns1']`. */
  ipCommand?: string[];
}

export class ServiceAddresses {
  readonly device: string;
  private readonly label: string | undefined;
  private readonly run: CommandRunner;
  private readonly ip: string[];
  /** Addresses we added (or found with our label) and so may remove. */
  private readonly owned = new Set<string>();

  constructor(opts: AddressOptions = {}) {
    this.device = opts.device ?? 'lo';
    this.label = ownLabel(this.device);
    this.run = opts.run ?? spawnRunner;
    this.ip = opts.ipCommand ?? ['ip'];
  }

  /** Every IPv4 address on the host, with the addresses of ours among them adopted. */
  async list(): Promise<Set<string>> {
    const r = await this.run([...this.ip, '-o', '-4', 'addr', 'show']);
    if (r.code !== 0) throw new Error(`ip addr show failed: ${r.stderr.trim()}`);
    const all = parseAddresses(r.stdout);
    for (const a of all) if (this.label && a.device === this.device && a.label === this.label && a.prefix === 32) this.owned.add(a.ip);
    return new Set(all.map((a) => a.ip));
  }

  /** What we added and may remove. */
  ours(): string[] {
    return [...this.owned].sort();
  }

  /** Makes `ip` local unless it already is (`present` from `list`). */
  async add(ip: string, present: Set<string>): Promise<void> {
    if (this.owned.has(ip) || present.has(ip)) return;
    const r = await this.run([...this.ip, 'addr', 'replace', `${ip}/32`, 'dev', this.device, ...(this.label ? ['label', this.label] : [])]);
    if (r.code !== 0) throw new Error(`ip addr replace ${ip}/32 dev ${this.device} failed: ${r.stderr.trim()}`);
    this.owned.add(ip);
    present.add(ip);
  }

  /** Removes `ip` if we added it; any other address is left alone. */
  async remove(ip: string): Promise<void> {
    if (!this.owned.has(ip)) return;
    const r = await this.run([...this.ip, 'addr', 'del', `${ip}/32`, 'dev', this.device]);
    // Gone already is as good as removed.
    if (r.code !== 0 && !/Cannot assign requested address|not found/i.test(r.stderr)) {
      throw new Error(`ip addr del ${ip}/32 dev ${this.device} failed: ${r.stderr.trim()}`);
    }
    this.owned.delete(ip);
  }
}
