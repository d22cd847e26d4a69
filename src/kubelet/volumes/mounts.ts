// From a container's volumeMounts to the CRI mounts the runtime bind-mounts: subPath and
// subPathExpr ($(VAR) from the container's environment) resolved inside the volume, read-only
// and propagation as the kubelet sets them.
import { mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';

/** What setUp made of a volume: the host path to bind-mount and whether it must be read-only. */
export interface VolumeInfo {
  hostPath: string;
  readOnly: boolean;
  kind: string;
}

export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

/** A CRI `Mount` (runtime.v1), field names in camelCase. */
export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation: MountPropagation;
}

/**
 * Kubernetes' `$(VAR)` expansion: a defined variable is replaced, `$$` is a literal `$`, anything
 * else (an undefined name, an unterminated reference) stays as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

/** A subPathExpr expanded with the container's environment; a missing or empty variable is an error, as in the kubelet. */
export function expandSubPathExpr(expr: string, env: Record<string, string>): string {
  const missing = new Set<string>();
  const out = expandVars(expr, (name) => {
    const v = env[name];
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/**
 * The host path for `subPath` inside a volume: relative, without `..`, created as a directory
 * (with the volume's mode) when missing, and — after following symlinks — still inside the volume.
 */
export async function resolveSubPath(volumePath: string, subPath: string): Promise<string> {
  if (isAbsolute(subPath)) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split(sep).includes('..')) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const root = await realpath(volumePath);
  const target = join(volumePath, subPath);
  try {
    await stat(target);
  } catch {
    const mode = (await stat(root)).mode & 0o7777;
    await mkdir(target, { recursive: true, mode });
  }
  const real = await realpath(target);
  if (real !== root && !real.startsWith(root + sep)) throw new Error(`subpath ${JSON.stringify(subPath)} not within volume path ${JSON.stringify(volumePath)}`);
  return real;
}

function propagationOf(container: Container, mode: string | undefined): MountPropagation {
  switch (mode ?? 'None') {
    case 'None': return 'PROPAGATION_PRIVATE';
    case 'HostToContainer': return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      if (!container.securityContext?.privileged) throw new Error('Bidirectional mount propagation is available only to privileged containers');
      return 'PROPAGATION_BIDIRECTIONAL';
    default: throw new Error(`invalid mount propagation mode ${JSON.stringify(mode)}`);
  }
}

/**
 * The container's volumeMounts as CRI mounts, given setUp's volumes and the container's resolved
 * environment (for subPathExpr).
 */
export async function containerMounts(
  container: Container, volumes: Map<string, VolumeInfo>, env: Record<string, string> = {},
): Promise<CriMount[]> {
  const out: CriMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const vol = volumes.get(m.name);
    if (!vol) throw new Error(`cannot find volume ${JSON.stringify(m.name)} to mount into container ${JSON.stringify(container.name)}`);
    let subPath = m.subPath ?? '';
    if (m.subPathExpr) subPath = expandSubPathExpr(m.subPathExpr, env);
    const hostPath = subPath ? await resolveSubPath(vol.hostPath, subPath) : vol.hostPath;
    out.push({
      containerPath: m.mountPath,
      hostPath,
      readonly: Boolean(m.readOnly) || vol.readOnly,
      propagation: propagationOf(container, m.mountPropagation),
    });
  }
  return out;
}
