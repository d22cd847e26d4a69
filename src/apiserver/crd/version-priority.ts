// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then any other
// version name alphabetically. Discovery lists a group's versions in this order, preferred first.

interface ParsedVersion { major: number; stage: number; minor: number }

const STAGES: Record<string, number> = { '': 3, beta: 2, alpha: 1 };

function parse(v: string): ParsedVersion | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+)?)?$/.exec(v);
  if (!m || m[1].startsWith('0')) return undefined;
  return { major: Number(m[1]), stage: STAGES[m[2] ?? ''], minor: m[3] ? Number(m[3]) : 0 };
}

/** Sort comparator: negative when `a` is preferred over `b`. */
export function compareVersionPriority(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    if (pa.stage !== pb.stage) return pb.stage - pa.stage;
    if (pa.major !== pb.major) return pb.major - pa.major;
    return pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
