// The webhook configurations as the dispatcher sees them: listed once from the registry, then kept
// current by watching their stores (what kube-apiserver's configuration manager does with an
// informer), sorted by configuration name and then by position, as Kubernetes orders them.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Watch } from '../../../storage/backend.js';
import type { Registry } from '../../registry/registry.js';
import type { ResourceStore } from '../../registry/store.js';
import type { ConfiguredWebhook } from './hook.js';

const GROUP = 'admissionregistration.k8s.io';

class WatchedConfigurations {
  private readonly objects = new Map<string, KubeObject>();
  private sorted?: ConfiguredWebhook[];
  private watch?: Watch;
  private loading?: Promise<void>;

  constructor(private readonly store: ResourceStore) {}

  async hooks(): Promise<ConfiguredWebhook[]> {
    this.loading ??= this.load();
    await this.loading;
    return (this.sorted ??= this.flatten());
  }

  private async load(): Promise<void> {
    const list = await this.store.list(undefined, {});
    this.objects.clear();
    for (const o of list.items) this.objects.set(o.metadata!.name!, o);
    this.sorted = undefined;
    this.watch = this.store.watchStorage(undefined, {
      startRevision: Number(list.resourceVersion) + 1,
      onEvents: (events) => {
        for (const e of events) {
          const obj = this.store.decode(e.kv);
          if (e.type === 'delete') this.objects.delete(obj.metadata!.name!);
          else this.objects.set(obj.metadata!.name!, obj);
        }
        this.sorted = undefined;
      },
      // A broken watch (compaction) starts over with a fresh list on the next request.
      onError: () => { this.watch = undefined; this.loading = undefined; },
    });
  }

  private flatten(): ConfiguredWebhook[] {
    const names = [...this.objects.keys()].sort();
    return names.flatMap((name) => ((this.objects.get(name) as { webhooks?: ConfiguredWebhook['spec'][] }).webhooks ?? [])
      .map((spec) => ({ configuration: name, spec })));
  }

  stop(): void {
    this.watch?.cancel();
  }
}

export class WebhookConfigurationCache {
  private readonly validating?: WatchedConfigurations;
  private readonly mutating?: WatchedConfigurations;

  constructor(registry: Registry) {
    const v = registry.lookup(GROUP, 'v1', 'validatingwebhookconfigurations');
    const m = registry.lookup(GROUP, 'v1', 'mutatingwebhookconfigurations');
    if (v) this.validating = new WatchedConfigurations(v);
    if (m) this.mutating = new WatchedConfigurations(m);
  }

  async validatingHooks(): Promise<ConfiguredWebhook[]> {
    return this.validating ? this.validating.hooks() : [];
  }

  async mutatingHooks(): Promise<ConfiguredWebhook[]> {
    return this.mutating ? this.mutating.hooks() : [];
  }

  stop(): void {
    this.validating?.stop();
    this.mutating?.stop();
  }
}
