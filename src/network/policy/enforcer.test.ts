import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { CommandError, type CommandRunner } from '../runner.js';
import { NAMESPACE_REF, NETWORK_POLICY_REF, NetworkPolicyEnforcer, POD_REF } from './enforcer.js';
import { MemoryInformerFactory } from './testing.js';

const settle = () => new Promise((r) => setImmediate(r));

function runningPod(name: string, ip: string, labels: Record<string, string>, extra: object = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: ip, ...extra },
  };
}
const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'default' }, spec: { podSelector: {} } };

function harness(o: { fail?: (input: string) => boolean } = {}) {
  const clock = new FakeClock(1_000);
  const informers = new MemoryInformerFactory();
  const calls: { file: string; args: string[]; input?: string }[] = [];
  const run: CommandRunner = async (file, args, opts) => {
    calls.push({ file, args, input: opts?.input });
    if (opts?.input !== undefined && o.fail?.(opts.input)) throw new CommandError(`${file} ${args.join(' ')}`, 1, 'Error: boom');
    return '';
  };
  informers.put(NAMESPACE_REF, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  informers.put(POD_REF, runningPod('web', '10.244.1.2', { app: 'web' }));
  const abort = new AbortController();
  const enforcer = new NetworkPolicyEnforcer({ informers, nodeName: 'n1', run, nftCommand: ['ip', 'netns', 'exec', 'x', 'nft'], clock, minSyncIntervalMs: 100, staleChainDelayMs: 1000, retryMs: 500 });
  const running = enforcer.start(abort.signal);
  const transactions = () => calls.filter((c) => c.input !== undefined).map((c) => c.input!);
  return { clock, informers, calls, enforcer, abort, running, transactions };
}

describe('NetworkPolicyEnforcer', () => {
  it('starts its informers, turns on bridge netfilter, programs the table and becomes ready', async () => {
    const h = harness();
    await h.enforcer.ready;
    assert.equal(h.informers.started, true);
    assert.deepEqual(h.calls[0], { file: 'sysctl', args: ['-qw', 'net.bridge.bridge-nf-call-iptables=1'], input: undefined });
    assert.deepEqual(h.calls[1]!.file, 'ip');
    assert.deepEqual(h.calls[1]!.args, ['netns', 'exec', 'x', 'nft', '-f', '-']);
    assert.match(h.transactions()[0]!, /^add table ip kite-netpol\ndelete table ip kite-netpol\nadd table ip kite-netpol\n/);
    h.abort.abort();
    await h.running;
  });

  it('syncs a policy change no sooner than the minimum interval, and ignores pod changes policies cannot see', async () => {
    const h = harness();
    await h.enforcer.ready;
    h.informers.put(NETWORK_POLICY_REF, denyAll);
    await settle();
    assert.equal(h.transactions().length, 1, 'waits for the interval');
    h.clock.advance(100);
    await settle();
    assert.equal(h.transactions().length, 2);
    assert.match(h.transactions()[1]!, /add chain ip kite-netpol pod-ingress\/10\.244\.1\.2/);
    assert.deepEqual(h.enforcer.stats().isolated, { ingress: 1, egress: 0 });
    h.informers.put(POD_REF, runningPod('web', '10.244.1.2', { app: 'web' }, { conditions: [{ type: 'Ready', status: 'True' }] }));
    h.clock.advance(1000);
    await settle();
    assert.equal(h.transactions().length, 2, 'a condition change is not a policy change');
    h.abort.abort();
    await h.running;
  });

  it('deletes chains that fell out of use after the delay', async () => {
    const h = harness();
    await h.enforcer.ready;
    h.informers.put(NETWORK_POLICY_REF, denyAll);
    h.clock.advance(100);
    await settle();
    h.informers.remove(NETWORK_POLICY_REF, denyAll);
    h.clock.advance(100);
    await settle();
    assert.match(h.transactions()[2]!, /flush chain ip kite-netpol pod-ingress\/10\.244\.1\.2/);
    h.clock.advance(1000);
    await settle();
    assert.equal(h.transactions()[3], 'delete chain ip kite-netpol pod-ingress/10.244.1.2\n');
    h.abort.abort();
    await h.running;
  });

  it('retries a failed sync as a full one', async () => {
    let failures = 1;
    const h = harness({ fail: (input) => input.includes('pod-ingress') && failures-- > 0 });
    await h.enforcer.ready;
    h.informers.put(NETWORK_POLICY_REF, denyAll);
    h.clock.advance(100);
    await settle();
    assert.equal(h.enforcer.stats().failures, 1);
    h.clock.advance(500);
    await settle();
    const last = h.transactions().at(-1)!;
    assert.match(last, /^add table ip kite-netpol\ndelete table/);
    assert.match(last, /pod-ingress\/10\.244\.1\.2/);
    assert.equal(h.enforcer.stats().failures, 1);
    h.abort.abort();
    await h.running;
  });

  it('deletes its table when stopped', async () => {
    const h = harness();
    await h.enforcer.ready;
    h.abort.abort();
    await h.running;
    assert.equal(h.transactions().at(-1), 'add table ip kite-netpol\ndelete table ip kite-netpol\n');
    h.informers.put(NETWORK_POLICY_REF, denyAll);
    h.clock.advance(1000);
    await settle();
    assert.equal(h.transactions().at(-1), 'add table ip kite-netpol\ndelete table ip kite-netpol\n', 'nothing syncs after stop');
  });
});
