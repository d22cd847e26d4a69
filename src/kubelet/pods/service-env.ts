// The service environment variables a kubelet gives every container: `<SVC>_SERVICE_HOST`,
// `<SVC>_SERVICE_PORT[_<PORT>]` and Docker's link variables (`<SVC>_PORT…`), for the services of
// the pod's namespace (when enableServiceLinks) and always for the `kubernetes` service in
// `default`. Headless services and those without a cluster IP give none.
import type { Service } from 'kubernetes-types/core/v1.js';

/** The API server's own services, exposed to every pod whatever its enableServiceLinks. */
const MASTER_SERVICES = new Set(['kubernetes']);

export function envVarName(serviceName: string): string {
  return serviceName.replace(/-/g, '_').toUpperCase();
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables of one service, in Kubernetes' order. */
export function serviceEnv(svc: Service): [string, string][] {
  if (!hasClusterIP(svc)) return [];
  const ip = svc.spec!.clusterIP!;
  const prefix = envVarName(svc.metadata?.name ?? '');
  const ports = svc.spec?.ports ?? [];
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip]];
  if (ports.length > 0) out.push([`${prefix}_SERVICE_PORT`, String(ports[0].port)]);
  for (const p of ports) {
    if (p.name) out.push([`${prefix}_SERVICE_PORT_${envVarName(p.name)}`, String(p.port)]);
  }
  ports.forEach((p, i) => {
    const proto = (p.protocol || 'TCP').toLowerCase();
    const url = `${proto}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, proto], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

/**
 * The service variables for a pod: `podNamespaceServices` are the services of the
 * pod's namespace, `defaultNamespaceServices` those of `default` (only its master services count).
 */
export function serviceEnvMap(
  enableServiceLinks: boolean,
  podNamespaceServices: readonly Service[],
  defaultNamespaceServices: readonly Service[],
): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of defaultNamespaceServices) {
    const name = svc.metadata?.name ?? '';
    if (MASTER_SERVICES.has(name) && hasClusterIP(svc)) chosen.set(name, svc);
  }
  if (enableServiceLinks) {
    for (const svc of podNamespaceServices) {
      // A service of the pod's own namespace wins over a master service of the same name.
      if (hasClusterIP(svc)) chosen.set(svc.metadata?.name ?? '', svc);
    }
  }
  const env = new Map<string, string>();
  const names = [...chosen.keys()].sort();
  for (const n of names) for (const [k, v] of serviceEnv(chosen.get(n)!)) env.set(k, v);
  return env;
}
