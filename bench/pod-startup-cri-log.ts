// The pod startup benchmark's view inside the node: containerd logs every CRI call that starts a
// pod at info level (RunPodSandbox, CreateContainer, StartContainer, each when asked and when it
// returns), with nanosecond wall-clock times. Parsed per pod name, they split the time between
// the pod being bound and it being seen Running into the kubelet's share and the runtime's.
import { readFile } from 'node:fs/promises';

/** Wall-clock ms of each CRI step for one pod. */
export interface CriTimes {
  sandboxAsked?: number;
  sandboxDone?: number;
  createAsked?: number;
  createDone?: number;
  startAsked?: number;
  startDone?: number;
}

const quoted = String.raw`\\"([0-9a-f]+)\\"`;
const LINE = /^time="([^"]+)" level=\w+ msg="(.*)"$/;

function wallMs(t: string): number {
  // RFC 3339 with nanoseconds: Date.parse takes milliseconds, the rest is added back.
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return Date.parse(t);
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0${m[2] ?? ''}`) * 1000;
}

/** CRI step times by pod name, from containerd's log (pods of `namespace` only). */
export async function criTimesByPod(logFile: string, namespace: string): Promise<Map<string, CriTimes>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const byPod = new Map<string, CriTimes>();
  const podOfSandbox = new Map<string, string>();
  const podOfContainer = new Map<string, string>();
  const times = (pod: string) => byPod.get(pod) ?? byPod.set(pod, {}).get(pod)!;
  const sandboxAsk = /^RunPodSandbox for &PodSandboxMetadata\{Name:([^,]+),Uid:[^,]*,Namespace:([^,]+),/;
  const sandboxDone = new RegExp(String.raw`^RunPodSandbox for &PodSandboxMetadata\{Name:([^,]+),Uid:[^,]*,Namespace:([^,]+),.*\} returns sandbox id ${quoted}`);
  const createAsk = new RegExp(String.raw`^CreateContainer within sandbox ${quoted} for container &ContainerMetadata`);
  const createDone = new RegExp(String.raw`^CreateContainer within sandbox ${quoted} for &ContainerMetadata.* returns container id ${quoted}`);
  const startAsk = new RegExp(String.raw`^StartContainer for ${quoted}$`);
  const startDone = new RegExp(String.raw`^StartContainer for ${quoted} returns successfully`);
  for (const line of text.split('\n')) {
    const l = LINE.exec(line);
    if (!l) continue;
    const at = wallMs(l[1]!);
    const msg = l[2]!;
    let m: RegExpExecArray | null;
    if ((m = sandboxDone.exec(msg))) {
      if (m[2] !== namespace) continue;
      podOfSandbox.set(m[3]!, m[1]!);
      times(m[1]!).sandboxDone ??= at;
    } else if ((m = sandboxAsk.exec(msg))) {
      if (m[2] === namespace) times(m[1]!).sandboxAsked ??= at;
    } else if ((m = createDone.exec(msg))) {
      const pod = podOfSandbox.get(m[1]!);
      if (!pod) continue;
      podOfContainer.set(m[2]!, pod);
      times(pod).createDone ??= at;
    } else if ((m = createAsk.exec(msg))) {
      const pod = podOfSandbox.get(m[1]!);
      if (pod) times(pod).createAsked ??= at;
    } else if ((m = startDone.exec(msg))) {
      const pod = podOfContainer.get(m[1]!);
      if (pod) times(pod).startDone ??= at;
    } else if ((m = startAsk.exec(msg))) {
      const pod = podOfContainer.get(m[1]!);
      if (pod) times(pod).startAsked ??= at;
    }
  }
  return byPod;
}

/** Every sandbox id RunPodSandbox returned, whatever the namespace (for the clean-up of NAT rules). */
export async function sandboxIds(logFile: string): Promise<Set<string>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return new Set([...text.matchAll(/returns sandbox id \\"([0-9a-f]{64})\\"/g)].map((m) => m[1]!));
}
