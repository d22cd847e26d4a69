import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { computeRuleset } from './compute.js';
import { policyInfo, type PodInfo, type PolicyModel } from './model.js';
import { planTransaction, renderCleanup } from './render.js';

const pod = (name: string, ip: string, labels: Record<string, string>, nodeName = 'n1'): PodInfo =>
  ({ namespace: 'default', name, ip, labels, nodeName, hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
const policy = (name: string, spec: NetworkPolicySpec) => policyInfo({ metadata: { name, namespace: 'default' }, spec })!;
const model = (pods: PodInfo[], policies: ReturnType<typeof policy>[]): PolicyModel =>
  ({ nodeName: 'n1', pods, namespaces: [{ name: 'default', labels: {} }], policies });

const web = pod('web', '10.244.1.2', { app: 'web' });
const client = pod('client', '10.244.1.3', { role: 'client' });
const allowClients = policy('allow', {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }, { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ port: 'http' }, { protocol: 'UDP', port: 53 }] }],
});
const egressNamed = policy('egress', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 'http' }] }] });

const lines = (text: string) => text.trim().split('\n');

describe('planTransaction', () => {
  it('replaces the whole table on the first sync: sets, pod chains, maps, then the forward chain', () => {
    const { text } = planTransaction('kite-netpol', undefined, computeRuleset(model([web, client], [allowClients, egressNamed])), 0, 1000);
    const l = lines(text);
    assert.deepEqual(l.slice(0, 3), ['add table ip kite-netpol', 'delete table ip kite-netpol', 'add table ip kite-netpol']);
    assert.ok(l.some((x) => /^add set ip kite-netpol peers-\w+-default\/allow\/ingress\/0 \{ type ipv4_addr; flags interval; \}$/.test(x)));
    assert.ok(l.some((x) => /^add element ip kite-netpol peers-\w+-default\/allow\/ingress\/0 \{ 10\.244\.1\.3, 192\.168\.0\.0\/24, 192\.168\.2\.0-192\.168\.255\.255 \}$/.test(x)));
    assert.ok(l.some((x) => /^add element ip kite-netpol ports-\w+-default\/egress\/egress\/0 \{ 10\.244\.1\.2 \. tcp \. 8080, 10\.244\.1\.3 \. tcp \. 8080 \}$/.test(x)));
    assert.ok(l.includes('add rule ip kite-netpol pod-ingress/10.244.1.2 ip saddr 10.244.1.2 return'));
    assert.ok(l.some((x) => /^add rule ip kite-netpol pod-ingress\/10\.244\.1\.2 ip saddr @peers-\S+ tcp dport 8080 return$/.test(x)));
    assert.ok(l.some((x) => /^add rule ip kite-netpol pod-ingress\/10\.244\.1\.2 ip saddr @peers-\S+ udp dport 53 return$/.test(x)));
    assert.ok(l.some((x) => /^add rule ip kite-netpol pod-egress\/10\.244\.1\.3 ip daddr \. meta l4proto \. th dport @ports-\S+ return$/.test(x)));
    assert.ok(l.includes('add element ip kite-netpol ingress-pods { 10.244.1.2 : jump pod-ingress/10.244.1.2 }'));
    assert.ok(l.includes('add element ip kite-netpol egress-pods { 10.244.1.3 : jump pod-egress/10.244.1.3 }'));
    assert.deepEqual(l.slice(-4), [
      'add chain ip kite-netpol forward { type filter hook forward priority filter; policy accept; }',
      'add rule ip kite-netpol forward ct state established,related accept',
      'add rule ip kite-netpol forward ip saddr vmap @egress-pods',
      'add rule ip kite-netpol forward ip daddr vmap @ingress-pods',
    ]);
    assert.ok(l.indexOf('add map ip kite-netpol ingress-pods { type ipv4_addr : verdict; }') > l.findIndex((x) => x.startsWith('add chain ip kite-netpol pod-')), 'chains exist before the map names them');
  });

  it('sends nothing when nothing changed', () => {
    const rs = computeRuleset(model([web, client], [allowClients]));
    const first = planTransaction('t', undefined, rs, 0, 1000);
    assert.equal(planTransaction('t', first.next, computeRuleset(model([web, client], [allowClients])), 10, 1000).text, '');
  });

  it('rewrites only the peer set when a new pod matches a rule', () => {
    const first = planTransaction('t', undefined, computeRuleset(model([web, client], [allowClients])), 0, 1000);
    const client2 = pod('client2', '10.244.2.9', { role: 'client' }, 'n2');
    const { text } = planTransaction('t', first.next, computeRuleset(model([web, client, client2], [allowClients])), 10, 1000);
    const l = lines(text);
    assert.equal(l.length, 2);
    assert.match(l[0]!, /^flush set ip t peers-\S+$/);
    assert.match(l[1]!, /^add element ip t peers-\S+ \{ 10\.244\.1\.3, 10\.244\.2\.9, /);
  });

  it('adds a chain and a map element for a newly isolated pod, leaving other chains alone', () => {
    const first = planTransaction('t', undefined, computeRuleset(model([web, client], [allowClients])), 0, 1000);
    const web2 = pod('web2', '10.244.1.7', { app: 'web' });
    const l = lines(planTransaction('t', first.next, computeRuleset(model([web, web2, client], [allowClients])), 10, 1000).text);
    assert.ok(l.includes('add chain ip t pod-ingress/10.244.1.7'));
    assert.ok(!l.some((x) => x.includes('pod-ingress/10.244.1.2 ')), 'the existing pod chain is untouched');
    assert.ok(l.includes('flush map ip t ingress-pods'));
    assert.ok(l.includes('add element ip t ingress-pods { 10.244.1.2 : jump pod-ingress/10.244.1.2, 10.244.1.7 : jump pod-ingress/10.244.1.7 }'));
  });

  it('empties chains that fell out of use at once and deletes them after the delay; sets go at once', () => {
    const first = planTransaction('t', undefined, computeRuleset(model([web, client], [allowClients])), 0, 1000);
    const removed = planTransaction('t', first.next, computeRuleset(model([web, client], [])), 100, 1000);
    const l = lines(removed.text);
    assert.deepEqual(l.slice(0, 2), ['flush map ip t ingress-pods', 'flush chain ip t pod-ingress/10.244.1.2']);
    assert.match(l[2]!, /^delete set ip t peers-/);
    assert.equal(l.length, 3);
    assert.deepEqual([...removed.next.stale], [['pod-ingress/10.244.1.2', 100]]);
    const early = planTransaction('t', removed.next, computeRuleset(model([web, client], [])), 600, 1000);
    assert.equal(early.text, '');
    assert.equal(early.next.stale.size, 1);
    const late = planTransaction('t', early.next, computeRuleset(model([web, client], [])), 1100, 1000);
    assert.equal(late.text, 'delete chain ip t pod-ingress/10.244.1.2\n');
    assert.equal(late.next.stale.size, 0);
  });

  it('refills an emptied chain that is wanted again before its deletion', () => {
    const first = planTransaction('t', undefined, computeRuleset(model([web, client], [allowClients])), 0, 1000);
    const removed = planTransaction('t', first.next, computeRuleset(model([web, client], [])), 100, 1000);
    const back = planTransaction('t', removed.next, computeRuleset(model([web, client], [allowClients])), 200, 1000);
    const l = lines(back.text);
    assert.ok(l.includes('flush chain ip t pod-ingress/10.244.1.2'));
    assert.ok(!l.some((x) => x.startsWith('add chain')));
    assert.ok(!l.some((x) => x.startsWith('delete chain')));
    assert.equal(back.next.stale.size, 0);
  });

  it('deletes the table, present or not', () => {
    assert.equal(renderCleanup('kite-netpol'), 'add table ip kite-netpol\ndelete table ip kite-netpol\n');
  });

  const canCheck = process.getuid?.() === 0 && spawnSync('unshare', ['--net', 'nft', '--version']).status === 0;
  it('produces transactions nft accepts (checked in a throwaway network namespace)', { skip: canCheck ? false : 'needs root, unshare and nft' }, () => {
    const first = planTransaction('kite-netpol', undefined, computeRuleset(model([web, client], [allowClients, egressNamed])), 0, 1000);
    const r = spawnSync('unshare', ['--net', 'nft', '-c', '-f', '-'], { input: first.text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
