// A container's environment as the kubelet builds it: envFrom sources first, then env in order
// with `$(VAR)` expanded against what came before (and the service variables), then the service
// variables the container did not set itself. Failures are worded as the kubelet words them;
// the pod worker reports them as CreateContainerConfigError.
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expand, lookupIn } from './expand.js';
import { serviceEnvMap } from './service-env.js';
import { fieldRefValue, resourceFieldRefValue, type DownwardContext } from './downward.js';

type Maybe<T> = T | undefined | Promise<T | undefined>;

/** Where env looks objects up; undefined means not found. */
export interface EnvSource {
  configMap(namespace: string, name: string): Maybe<ConfigMap>;
  secret(namespace: string, name: string): Maybe<Secret>;
  services(namespace: string): readonly Service[] | Promise<readonly Service[]>;
}

export interface EnvWarning {
  reason: 'InvalidEnvironmentVariableNames';
  message: string;
}

export interface ContainerEnv {
  env: { name: string; value: string }[];
  /** Event-worthy problems that did not stop the container (skipped envFrom keys). */
  warnings: EnvWarning[];
}

/** Raised when the environment cannot be built; its message is the container's waiting message. */
export class EnvError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name);
}

function decodeSecret(data: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/** Fetches each config map and secret once per container, and tells which were missing. */
class Lookups {
  private readonly configMaps = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<Record<string, string> | undefined>>();
  constructor(private readonly source: EnvSource, private readonly namespace: string) {}

  configMap(name: string): Promise<ConfigMap | undefined> {
    let p = this.configMaps.get(name);
    if (!p) this.configMaps.set(name, (p = Promise.resolve(this.source.configMap(this.namespace, name))));
    return p;
  }

  secret(name: string): Promise<Record<string, string> | undefined> {
    let p = this.secrets.get(name);
    if (!p) {
      p = Promise.resolve(this.source.secret(this.namespace, name)).then((s) => (s ? decodeSecret(s.data) : undefined));
      this.secrets.set(name, p);
    }
    return p;
  }
}

function downward(f: () => string): string {
  try {
    return f();
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
}

export interface EnvOptions extends DownwardContext {
  source: EnvSource;
}

export async function containerEnv(pod: Pod, container: Container, opts: EnvOptions): Promise<ContainerEnv> {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const dflt = await opts.source.services('default');
  const own = ns === 'default' ? dflt : links ? await opts.source.services(ns) : [];
  const services = serviceEnvMap(links, own, dflt);
  const lookups = new Lookups(opts.source, ns);
  const env = new Map<string, string>();
  const warnings: EnvWarning[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    let what: string;
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      what = `configMap ${ns}/${name}`;
      const cm = await lookups.configMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(`configmap "${name}" not found`);
      }
      data = cm.data ?? {};
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      what = `secret ${ns}/${name}`;
      data = await lookups.secret(name);
      if (!data) {
        if (from.secretRef.optional) continue;
        throw new EnvError(`secret "${name}" not found`);
      }
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = prefix + k;
      if (!isEnvVarName(key)) invalid.push(key);
      else env.set(key, v);
    }
    if (invalid.length > 0) {
      warnings.push({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  for (const v of container.env ?? []) {
    let value: string | undefined = '';
    const from = v.valueFrom;
    if (v.value) {
      value = expand(v.value, lookupIn(env, services));
    } else if (from?.fieldRef) {
      value = downward(() => fieldRefValue(from.fieldRef!, pod, opts));
    } else if (from?.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName)
        : container;
      if (!target) throw new EnvError(`container ${from.resourceFieldRef.containerName} not found`);
      value = downward(() => resourceFieldRefValue(from.resourceFieldRef!, target, opts));
    } else if (from?.configMapKeyRef) {
      const { name = '', key, optional } = from.configMapKeyRef;
      const cm = await lookups.configMap(name);
      if (!cm) {
        if (optional) continue;
        throw new EnvError(`configmap "${name}" not found`);
      }
      value = cm.data?.[key];
      if (value === undefined) {
        if (optional) continue;
        throw new EnvError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
      }
    } else if (from?.secretKeyRef) {
      const { name = '', key, optional } = from.secretKeyRef;
      const data = await lookups.secret(name);
      if (!data) {
        if (optional) continue;
        throw new EnvError(`secret "${name}" not found`);
      }
      value = data[key];
      if (value === undefined) {
        if (optional) continue;
        throw new EnvError(`couldn't find key ${key} in Secret ${ns}/${name}`);
      }
    }
    env.set(v.name, value);
  }

  for (const [k, v] of services) if (!env.has(k)) env.set(k, v);
  return { env: [...env].map(([name, value]) => ({ name, value })), warnings };
}
