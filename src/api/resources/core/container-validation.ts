// Validation of one container (regular, init or ephemeral) within a pod spec, as Kubernetes'
// validateContainers / validateInitContainers check it.
import type {
  Container, ContainerPort, EnvVar, HTTPGetAction, LifecycleHandler, Probe, ResourceRequirements, VolumeMount,
} from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Label, isQualifiedName } from '../../../apimachinery/validation.js';
import {
  duplicate, forbidden, invalid, invalidEach, nonNegative, notFound, notSupported, required,
} from '../shared/field-errors.js';
import { validateResourceList } from './quantities.js';

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['FallbackToLogsOnError', 'File'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** IANA service port names (`http`, `metrics`), the rule for named container and target ports. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** A port given as a number or as a port name (probes, service target ports). */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, isValidPortNum(port));
  if (typeof port === 'string' && port !== '') return invalidEach(path, port, isValidPortName(port));
  return [required(path)];
}

const envVarNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const envVarNameMessage = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

function validateEnv(env: EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const at = `${path}[${i}]`;
    if (!e.name) errs.push(required(`${at}.name`));
    else if (!envVarNameRe.test(e.name)) errs.push(invalid(`${at}.name`, e.name, envVarNameMessage));
    if (e.valueFrom) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef']
        .filter((k) => (e.valueFrom as Record<string, unknown>)[k] != null);
      if (sources.length === 0) {
        errs.push(invalid(`${at}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      } else if (sources.length > 1) {
        errs.push(invalid(`${at}.valueFrom`, '', 'may not have more than one field specified at a time'));
      }
      if (e.value) errs.push(invalid(`${at}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
  });
  return errs;
}

export function validateContainerPorts(ports: ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) errs.push(...invalidEach(`${at}.name`, p.name, msgs));
      else if (names.has(p.name)) errs.push(duplicate(`${at}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${at}.containerPort`));
    else errs.push(...invalidEach(`${at}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...invalidEach(`${at}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (!p.protocol) errs.push(required(`${at}.protocol`));
    else if (!(PORT_PROTOCOLS as readonly string[]).includes(p.protocol)) {
      errs.push(notSupported(`${at}.protocol`, p.protocol, PORT_PROTOCOLS));
    }
  });
  return errs;
}

function validateHTTPGet(h: HTTPGetAction, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!h.path) errs.push(required(`${path}.path`));
  errs.push(...validatePortNumOrName(h.port, `${path}.port`));
  if (h.scheme && !['HTTP', 'HTTPS'].includes(h.scheme)) errs.push(notSupported(`${path}.scheme`, h.scheme, ['HTTP', 'HTTPS']));
  return errs;
}

/** Exactly one of exec, httpGet, tcpSocket, grpc (sleep for lifecycle hooks). */
function validateHandler(h: Probe | LifecycleHandler, path: string, kinds: string[]): FieldError[] {
  const set = kinds.filter((k) => (h as Record<string, unknown>)[k] != null);
  if (set.length === 0) return [required(path, 'must specify a handler type')];
  const errs: FieldError[] = set.slice(1).map((k) => forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
  if (h.exec && !(h.exec.command?.length)) errs.push(required(`${path}.exec.command`));
  if (h.httpGet) errs.push(...validateHTTPGet(h.httpGet, `${path}.httpGet`));
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, `${path}.tcpSocket.port`));
  const grpc = (h as Probe).grpc;
  if (grpc) errs.push(...invalidEach(`${path}.grpc.port`, grpc.port, isValidPortNum(grpc.port)));
  return errs;
}

function validateProbe(p: Probe | undefined, path: string): FieldError[] {
  if (!p) return [];
  return [
    ...validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']),
    ...nonNegative(`${path}.initialDelaySeconds`, p.initialDelaySeconds),
    ...nonNegative(`${path}.timeoutSeconds`, p.timeoutSeconds),
    ...nonNegative(`${path}.periodSeconds`, p.periodSeconds),
    ...nonNegative(`${path}.successThreshold`, p.successThreshold),
    ...nonNegative(`${path}.failureThreshold`, p.failureThreshold),
  ];
}

/** Hugepages and extended resources cannot be overcommitted: request must equal limit. */
function overcommitAllowed(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return native && !name.startsWith('hugepages-');
}

function validateResourceName(name: string, path: string): FieldError[] {
  if (name.includes('/')) return invalidEach(path, name, isQualifiedName(name));
  if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  return [invalid(path, name, 'must be a standard resource for containers')];
}

export function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const limits = validateResourceList(r.limits, `${path}.limits`);
  const requests = validateResourceList(r.requests, `${path}.requests`);
  for (const name of Object.keys(r.limits ?? {})) errs.push(...validateResourceName(name, `${path}.limits[${name}]`));
  errs.push(...limits.errs);
  for (const name of Object.keys(r.requests ?? {})) errs.push(...validateResourceName(name, `${path}.requests[${name}]`));
  errs.push(...requests.errs);
  for (const [name, req] of requests.parsed) {
    const lim = limits.parsed.get(name);
    if (!lim) continue;
    if (!overcommitAllowed(name) && req.cmp(lim) !== 0) {
      errs.push(invalid(`${path}.requests`, req.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
    } else if (req.cmp(lim) > 0) {
      errs.push(invalid(`${path}.requests`, req.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) errs.push(required(`${at}.name`));
    else if (!volumes.has(m.name)) errs.push(notFound(`${at}.name`, m.name));
    if (!m.mountPath) errs.push(required(`${at}.mountPath`));
    else if (paths.has(m.mountPath)) errs.push(invalid(`${at}.mountPath`, m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(`${at}.subPath`, m.subPath, m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'"));
    }
  });
  return errs;
}

export type ContainerRole = 'regular' | 'init' | 'ephemeral';

/** Checks a container on its own; name uniqueness across the pod is the caller's. */
export function validateContainer(c: Container, role: ContainerRole, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${path}.name`));
  else errs.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(required(`${path}.image`));
  else if (c.image.trim() !== c.image) errs.push(invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  if (!c.imagePullPolicy) errs.push(required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy && !TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  if (role !== 'ephemeral') errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  if (role !== 'ephemeral') errs.push(...validateResources(c.resources, `${path}.resources`));

  const sidecar = role === 'init' && c.restartPolicy === 'Always';
  if (role === 'regular' && c.restartPolicy) {
    errs.push(forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
  }
  if (role === 'init' && c.restartPolicy && c.restartPolicy !== 'Always') {
    errs.push(notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  if ((role === 'init' && !sidecar) || role === 'ephemeral') {
    const why = role === 'init' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container';
    for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[f]) errs.push(forbidden(`${path}.${f}`, why));
    }
    return errs;
  }
  errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`));
  errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`));
  errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`));
  for (const f of ['livenessProbe', 'startupProbe'] as const) {
    const p = c[f];
    if (p && p.successThreshold !== undefined && p.successThreshold !== 1) {
      errs.push(invalid(`${path}.${f}.successThreshold`, p.successThreshold, 'must be 1'));
    }
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = c.lifecycle?.[hook];
    if (h) errs.push(...validateHandler(h, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}
