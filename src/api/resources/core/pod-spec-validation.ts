// Validation of a pod spec and pod template, shared by pods and every workload with a template.
import type { PodSpec, PodTemplateSpec, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../apimachinery/validation.js';
import { validateContainer } from './container-validation.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { validateLabels } from '../shared/label-checks.js';
import { volumeSourceKeys } from './pod-spec-defaults.js';

export const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

function validateVolumes(volumes: Volume[] | undefined, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const at = `${path}[${i}]`;
    if (!v.name) errs.push(required(`${at}.name`));
    else {
      const msgs = isDNS1123Label(v.name);
      if (msgs.length) errs.push(...invalidEach(`${at}.name`, v.name, msgs));
      else if (names.has(v.name)) errs.push(duplicate(`${at}.name`, v.name));
      else names.add(v.name);
    }
    const sources = volumeSourceKeys(v);
    if (sources.length === 0) errs.push(required(at, 'must specify a volume type'));
    for (const s of sources.slice(1)) errs.push(forbidden(`${at}.${s}`, 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) errs.push(required(`${at}.hostPath.path`));
    if (v.secret && !v.secret.secretName) errs.push(required(`${at}.secret.secretName`));
    if (v.configMap && !v.configMap.name) errs.push(required(`${at}.configMap.name`));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) {
      errs.push(required(`${at}.persistentVolumeClaim.claimName`));
    }
  });
  return { errs, names };
}

export function validateTolerations(tolerations: Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const at = `${path}[${i}]`;
    if (t.key) errs.push(...invalidEach(`${at}.key`, t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${at}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${at}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(`${at}.operator`, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${at}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${at}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...vols.errs);

  // Names are unique across regular, init and ephemeral containers.
  const names = new Set<string>();
  const checkName = (name: string | undefined, at: string): void => {
    if (!name) return;
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    names.add(name);
  };
  if (!spec.containers?.length) errs.push(required(`${path}.containers`));
  (spec.containers ?? []).forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    checkName(c.name, at);
    errs.push(...validateContainer(c, 'regular', vols.names, at));
  });
  (spec.initContainers ?? []).forEach((c, i) => {
    const at = `${path}.initContainers[${i}]`;
    checkName(c.name, at);
    errs.push(...validateContainer(c, 'init', vols.names, at));
  });
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const at = `${path}.ephemeralContainers[${i}]`;
    checkName(c.name, at);
    errs.push(...validateContainer(c, 'ephemeral', vols.names, at));
  });

  if (spec.hostNetwork) {
    for (const [list, key] of [[spec.containers, 'containers'], [spec.initContainers, 'initContainers']] as const) {
      (list ?? []).forEach((c, i) => (c.ports ?? []).forEach((p, j) => {
        if (p.hostPort !== p.containerPort) {
          errs.push(invalid(`${path}.${key}[${i}].ports[${j}].hostPort`, p.containerPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }));
    }
  }

  if (!spec.restartPolicy) errs.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None') {
    if (!spec.dnsConfig) errs.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (!spec.dnsConfig.nameservers?.length) {
      errs.push(required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    }
  }
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) {
    errs.push(...invalidEach(`${path}.serviceAccountName`, spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  }
  if (spec.nodeName) errs.push(...invalidEach(`${path}.nodeName`, spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > MAX_INT32) {
      errs.push(invalid(`${path}.activeDeadlineSeconds`, v, `must be between 1 and ${MAX_INT32}, inclusive`));
    }
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  if (spec.hostname) errs.push(...invalidEach(`${path}.hostname`, spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain) errs.push(...invalidEach(`${path}.subdomain`, spec.subdomain, isDNS1123Label(spec.subdomain)));
  (spec.readinessGates ?? []).forEach((g, i) => {
    errs.push(...invalidEach(`${path}.readinessGates[${i}].conditionType`, g.conditionType, isQualifiedName(g.conditionType)));
  });
  return errs;
}

export function validatePodTemplateSpec(t: PodTemplateSpec, path: string): FieldError[] {
  const errs: FieldError[] = [...validateLabels(t.metadata?.labels, `${path}.metadata.labels`)];
  if (!t.spec) return [...errs, required(`${path}.spec`)];
  errs.push(...validatePodSpec(t.spec, `${path}.spec`));
  if (t.spec.ephemeralContainers?.length) {
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
