// Calls the admission webhooks that match a write: mutating ones one after another (applying their
// JSON patches, reinvoking IfNeeded webhooks once when a later one changed the object), then,
// after validation, the validating ones in parallel. failurePolicy decides what a failed call does.
import type { KubeObject } from '../../../apimachinery/object.js';
import { internalError } from '../../../apimachinery/status.js';
import { applyJsonPatch } from '../../../apimachinery/patch/json-patch.js';
import type { AdmissionAttributes } from './attributes.js';
import { isWebhookExempt } from './attributes.js';
import { postJSON, WebhookCallError, webhookTarget, type ServiceResolver } from './client.js';
import { dryRunUnsupported, webhookCallFailed, webhookDenied } from './errors.js';
import type { ConfiguredWebhook } from './hook.js';
import { matchingResource, namespaceSelectorMatches, objectSelectorMatches, type MatchedResource } from './matching.js';
import { admissionReview, reviewVersion, verifyResponse, type AdmissionResponse } from './review.js';

export interface WebhookSource {
  validatingHooks(): Promise<ConfiguredWebhook[]>;
  mutatingHooks(): Promise<ConfiguredWebhook[]>;
}

export interface WebhookDispatcherOptions {
  hooks: WebhookSource;
  resolveService: ServiceResolver;
  /** The labels of a namespace, or undefined when it does not exist. */
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
  /** The other served versions of the request's group and resource (matchPolicy Equivalent). */
  equivalents(a: AdmissionAttributes): MatchedResource[];
}

interface Invocation { hook: ConfiguredWebhook; resource: MatchedResource }

/** What one request hands the dispatcher besides its attributes. */
export interface DispatchContext {
  /** Collects `Warning` header texts. */
  warnings?: string[];
  /** Re-applies the kind's defaults after a webhook changed the object. */
  setDefaults?(obj: KubeObject): void;
}

export class WebhookDispatcher {
  constructor(private readonly opts: WebhookDispatcherOptions) {}

  private async invocations(hooks: ConfiguredWebhook[], a: AdmissionAttributes): Promise<Invocation[]> {
    if (isWebhookExempt(a) || !hooks.length) return [];
    const out: Invocation[] = [];
    const equivalents = this.opts.equivalents(a);
    for (const hook of hooks) {
      const resource = matchingResource(hook, a, equivalents);
      if (!resource) continue;
      if (!(await namespaceSelectorMatches(hook, a, (ns) => this.opts.namespaceLabels(ns)))) continue;
      if (!objectSelectorMatches(hook, a)) continue;
      out.push({ hook, resource });
    }
    return out;
  }

  /** Runs the matching mutating webhooks; `a.object` is changed in place. */
  async mutate(a: AdmissionAttributes, ctx: DispatchContext = {}): Promise<void> {
    const calls = await this.invocations(await this.opts.hooks.mutatingHooks(), a);
    if (!calls.length) return;
    const changedBy: boolean[] = [];
    for (const inv of calls) changedBy.push(await this.callMutating(inv, a, ctx));
    const lastChange = changedBy.lastIndexOf(true);
    if (lastChange < 0) return;
    // IfNeeded: a webhook that ran before another one changed the object sees the result once more.
    for (let i = 0; i < lastChange; i++) {
      const inv = calls[i]!;
      if (inv.hook.spec.reinvocationPolicy === 'IfNeeded') await this.callMutating(inv, a, ctx);
    }
  }

  /** Runs the matching validating webhooks in parallel; the first refusal (in order) is thrown. */
  async validate(a: AdmissionAttributes, ctx: DispatchContext = {}): Promise<void> {
    const calls = await this.invocations(await this.opts.hooks.validatingHooks(), a);
    const results = await Promise.allSettled(calls.map(async (inv) => {
      const res = await this.call(inv, a, false, ctx);
      if (res && !res.allowed) throw webhookDenied(inv.hook.spec.name, res.status);
    }));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Calls one mutating webhook and applies its patch; true when the object changed. */
  private async callMutating(inv: Invocation, a: AdmissionAttributes, ctx: DispatchContext): Promise<boolean> {
    const res = await this.call(inv, a, true, ctx);
    if (!res) return false;
    if (!res.allowed) throw webhookDenied(inv.hook.spec.name, res.status);
    if (!res.patch || !a.object) return false;
    const before = JSON.stringify(a.object);
    let patched: KubeObject;
    try {
      const ops = JSON.parse(Buffer.from(res.patch, 'base64').toString('utf8')) as unknown;
      const versioned = { ...a.object, apiVersion: inv.resource.group ? `${inv.resource.group}/${inv.resource.version}` : inv.resource.version };
      patched = applyJsonPatch(versioned, ops);
    } catch (e) {
      throw internalError(`failed to apply the patch of admission webhook ${JSON.stringify(inv.hook.spec.name)}: ${(e as Error).message}`);
    }
    patched.apiVersion = a.object.apiVersion;
    patched.kind = a.object.kind;
    for (const key of Object.keys(a.object)) delete (a.object as Record<string, unknown>)[key];
    Object.assign(a.object, patched);
    ctx.setDefaults?.(a.object);
    return JSON.stringify(a.object) !== before;
  }

  /**
   * One webhook call: the answer, or undefined when it failed and failurePolicy is Ignore.
   * Refusals are left to the caller; failures under Fail are thrown as InternalError.
   */
  private async call(inv: Invocation, a: AdmissionAttributes, mutating: boolean, ctx: DispatchContext): Promise<AdmissionResponse | undefined> {
    const spec = inv.hook.spec;
    if (a.dryRun && spec.sideEffects !== 'None' && spec.sideEffects !== 'NoneOnDryRun') throw dryRunUnsupported(spec.name);
    let res: AdmissionResponse;
    try {
      res = await this.post(inv, a, mutating);
    } catch (e) {
      if (!(e instanceof WebhookCallError)) throw e;
      if (spec.failurePolicy === 'Ignore') return undefined;
      throw webhookCallFailed(spec.name, e.message);
    }
    for (const w of res.warnings ?? []) ctx.warnings?.push(w);
    return res;
  }

  private async post(inv: Invocation, a: AdmissionAttributes, mutating: boolean): Promise<AdmissionResponse> {
    const spec = inv.hook.spec;
    const version = reviewVersion(spec.admissionReviewVersions);
    if (!version) throw new WebhookCallError(`webhook does not accept known AdmissionReview versions`);
    const timeout = spec.timeoutSeconds ?? 10;
    let target;
    try {
      target = await webhookTarget(spec.clientConfig, timeout, this.opts.resolveService);
    } catch (e) {
      throw e instanceof WebhookCallError ? new WebhookCallError(`failed to call webhook: ${e.message}`) : e;
    }
    const { uid, review } = admissionReview(a, inv.resource, version);
    let answer: unknown;
    try {
      answer = await postJSON(target, review, spec.clientConfig.caBundle, timeout * 1000);
    } catch (e) {
      throw e instanceof WebhookCallError ? new WebhookCallError(`failed to call webhook: ${e.message}`) : e;
    }
    const verified = verifyResponse(answer, uid, version, mutating);
    if (typeof verified === 'string') throw new WebhookCallError(`received invalid webhook response: ${verified}`);
    return verified;
  }
}
