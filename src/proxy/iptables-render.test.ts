import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointModel, NodeInfo, ServicePortModel } from './model.js';
import { base32, extChain, sepChain, svcChain, svlChain } from './iptables-names.js';
import { JUMPS, jumpKey, nothingExisting, renderIptables } from './iptables-render.js';

const node: NodeInfo = { nodeName: 'n1', nodeIPs: ['10.200.1.1'], clusterCIDR: '10.42.0.0/16' };
const ep = (ip: string, o: Partial<EndpointModel> = {}): EndpointModel => ({ ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'n1', ...o });
function port(o: Partial<ServicePortModel> = {}): ServicePortModel {
  return {
    namespace: 'default', name: 'web', portName: 'http', protocol: 'tcp', clusterIP: '10.43.0.5', port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], internalLocal: false, externalLocal: false, endpoints: [ep('10.42.0.2'), ep('10.42.1.3', { nodeName: 'n2' })], ...o,
  };
}
const lines = (sp: ServicePortModel, n: NodeInfo = node) => renderIptables({ node: n, ports: [sp] }).split('\n');
/** The lines of `table`'s section. */
function section(text: string[], table: 'filter' | 'nat'): string[] {
  const start = text.indexOf(`*${table}`);
  return text.slice(start, text.indexOf('COMMIT', start) + 1);
}
const SVC = 'KITE-SVC-CDGGSHYLG3RE2FKL';
const EP1 = 'KITE-SEP-ERQQNJAYKLWLNZ6A';
const EP2 = 'KITE-SEP-GLCJAZW74JSTM72F';
const C = (text: string) => `-m comment --comment "${text}"`;

describe('iptables ruleset rendering', () => {
  it('names chains as kube-proxy hashes them: sha256 of the ServicePort (and endpoint), base32, 16 characters', () => {
    assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
    // kube-proxy's own chain for the kubernetes Service, under our prefix.
    assert.equal(svcChain({ namespace: 'default', name: 'kubernetes', portName: 'https', protocol: 'tcp' }), 'KITE-SVC-NPX46M4PTMTKRN6Y');
    assert.equal(svcChain(port()), SVC);
    assert.equal(svlChain(port()), 'KITE-SVL-CDGGSHYLG3RE2FKL');
    assert.equal(extChain(port()), 'KITE-EXT-CDGGSHYLG3RE2FKL');
    assert.equal(sepChain(port(), '10.42.0.2', 8080), EP1);
    assert.ok(EP1.length <= 28);
  });

  it('ClusterIP: KITE-SERVICES jumps to the service chain, which picks an endpoint with 1/n, 1/(n-1)… odds; the endpoint chain DNATs', () => {
    const nat = section(lines(port()), 'nat');
    assert.deepEqual(nat.filter((l) => !l.startsWith('-I ')), [
      '*nat',
      ':KITE-SERVICES - [0:0]', ':KITE-NODEPORTS - [0:0]', ':KITE-POSTROUTING - [0:0]', ':KITE-MARK-MASQ - [0:0]',
      `:${SVC} - [0:0]`, `:${EP1} - [0:0]`, `:${EP2} - [0:0]`,
      `-A KITE-SERVICES ${C('default/web:http cluster IP')} -m tcp -p tcp -d 10.43.0.5 --dport 80 -j ${SVC}`,
      `-A KITE-SERVICES ${C('kite service nodeports; NOTE: this must be the last rule in this chain')} -d 10.200.1.1 -j KITE-NODEPORTS`,
      '-A KITE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KITE-POSTROUTING -j MARK --xor-mark 0x4000',
      `-A KITE-POSTROUTING ${C('kite service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
      '-A KITE-MARK-MASQ -j MARK --or-mark 0x4000',
      `-A ${SVC} ${C('default/web:http cluster IP')} -m tcp -p tcp -d 10.43.0.5 --dport 80 ! -s 10.42.0.0/16 -j KITE-MARK-MASQ`,
      `-A ${SVC} ${C('default/web:http -> 10.42.0.2:8080')} -m statistic --mode random --probability 0.5000000000 -j ${EP1}`,
      `-A ${SVC} ${C('default/web:http -> 10.42.1.3:8080')} -j ${EP2}`,
      `-A ${EP1} ${C('default/web:http')} -s 10.42.0.2 -j KITE-MARK-MASQ`,
      `-A ${EP1} ${C('default/web:http')} -m tcp -p tcp -j DNAT --to-destination 10.42.0.2:8080`,
      `-A ${EP2} ${C('default/web:http')} -s 10.42.1.3 -j KITE-MARK-MASQ`,
      `-A ${EP2} ${C('default/web:http')} -m tcp -p tcp -j DNAT --to-destination 10.42.1.3:8080`,
      'COMMIT',
    ]);
    const three = lines(port({ endpoints: [ep('10.42.0.2'), ep('10.42.0.3'), ep('10.42.0.4')] }));
    assert.deepEqual(three.filter((l) => l.includes('--probability')).map((l) => l.split('--probability ')[1]!.split(' ')[0]), ['0.3333333333', '0.5000000000']);
    assert.ok(!lines(port(), { ...node, clusterCIDR: undefined }).some((l) => l.includes('! -s ')), 'no off-cluster masquerade without a cluster CIDR');
  });

  it('a ClusterIP without endpoints is rejected from filter KITE-SERVICES and gets no nat rules', () => {
    const text = lines(port({ endpoints: [] }));
    assert.ok(section(text, 'filter').includes(`-A KITE-SERVICES ${C('default/web:http has no endpoints')} -m tcp -p tcp -d 10.43.0.5 --dport 80 -j REJECT`));
    assert.ok(!text.some((l) => l.includes('KITE-SVC-') || l.includes('KITE-SEP-')));
  });

  it('NodePort, externalIPs and load-balancer IPs enter the external chain, which masquerades under Cluster policy', () => {
    const sp = port({ nodePort: 30080, externalIPs: ['192.0.2.9'], loadBalancerIPs: ['192.0.2.10'] });
    const nat = section(lines(sp), 'nat');
    const EXT = extChain(sp);
    for (const want of [
      `-A KITE-SERVICES ${C('default/web:http external IP')} -m tcp -p tcp -d 192.0.2.9 --dport 80 -j ${EXT}`,
      `-A KITE-SERVICES ${C('default/web:http loadbalancer IP')} -m tcp -p tcp -d 192.0.2.10 --dport 80 -j ${EXT}`,
      `-A KITE-NODEPORTS ${C('default/web:http')} -m tcp -p tcp --dport 30080 -j ${EXT}`,
      `-A ${EXT} ${C('masquerade traffic for default/web:http external destinations')} -j KITE-MARK-MASQ`,
      `-A ${EXT} -j ${SVC}`,
    ]) assert.ok(nat.includes(want), want);
    assert.match(nat.filter((l) => l.startsWith('-A KITE-SERVICES ')).at(-1)!, /-d 10\.200\.1\.1 -j KITE-NODEPORTS$/, 'NodePorts are matched last');
    const anyAddress = renderIptables({ node: { ...node, nodeIPs: [] }, ports: [sp] });
    assert.ok(anyAddress.includes(`-A KITE-SERVICES ${C('kite service nodeports; NOTE: this must be the last rule in this chain')} ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j KITE-NODEPORTS`));
  });

  it('NodePort and externalIPs without endpoints are rejected from filter KITE-EXTERNAL-SERVICES / KITE-NODEPORTS', () => {
    const filter = section(lines(port({ nodePort: 30080, externalIPs: ['192.0.2.9'], endpoints: [] })), 'filter');
    for (const want of [
      `-A KITE-EXTERNAL-SERVICES ${C('default/web:http has no endpoints')} -m tcp -p tcp -d 192.0.2.9 --dport 80 -j REJECT`,
      `-A KITE-EXTERNAL-SERVICES ${C('kite service nodeports; NOTE: this must be the last rule in this chain')} -d 10.200.1.1 -j KITE-NODEPORTS`,
      `-A KITE-NODEPORTS ${C('default/web:http has no endpoints')} -m tcp -p tcp --dport 30080 -j REJECT`,
    ]) assert.ok(filter.includes(want), want);
  });

  it('sessionAffinity ClientIP: -m recent checks before the random choice, and the endpoint chain records the client', () => {
    const nat = lines(port({ affinityTimeout: 600, endpoints: [ep('10.42.0.2')] }));
    assert.ok(nat.includes(`-A ${SVC} ${C('default/web:http -> 10.42.0.2:8080')} -m recent --name ${EP1} --rcheck --seconds 600 --reap -j ${EP1}`));
    assert.ok(nat.includes(`-A ${EP1} ${C('default/web:http')} -m recent --name ${EP1} --set -m tcp -p tcp -j DNAT --to-destination 10.42.0.2:8080`));
    assert.ok(nat.indexOf(`-A ${SVC} ${C('default/web:http -> 10.42.0.2:8080')} -j ${EP1}`) > nat.findIndex((l) => l.includes('--rcheck')));
  });

  it('internalTrafficPolicy Local: KITE-SERVICES goes to the local chain; endpoints elsewhere only are dropped, none at all rejected', () => {
    const SVL = svlChain(port());
    const text = lines(port({ internalLocal: true }));
    assert.ok(text.includes(`-A KITE-SERVICES ${C('default/web:http cluster IP')} -m tcp -p tcp -d 10.43.0.5 --dport 80 -j ${SVL}`));
    assert.ok(text.includes(`-A ${SVL} ${C('default/web:http -> 10.42.0.2:8080')} -j ${EP1}`));
    assert.ok(!text.some((l) => l.includes(SVC) || l.includes(EP2)));
    const remote = lines(port({ internalLocal: true, endpoints: [ep('10.42.1.3', { nodeName: 'n2' })] }));
    assert.ok(remote.includes(`-A KITE-SERVICES ${C('default/web:http has no local endpoints')} -m tcp -p tcp -d 10.43.0.5 --dport 80 -j DROP`));
    const none = lines(port({ internalLocal: true, endpoints: [] }));
    assert.ok(none.includes(`-A KITE-SERVICES ${C('default/web:http has no endpoints')} -m tcp -p tcp -d 10.43.0.5 --dport 80 -j REJECT`));
  });

  it('externalTrafficPolicy Local: pod and host clients short-circuit to the cluster chain, others reach local endpoints unmasqueraded', () => {
    const sp = port({ nodePort: 30080, externalLocal: true });
    const EXT = extChain(sp);
    const text = lines(sp);
    assert.deepEqual(text.filter((l) => l.startsWith(`-A ${EXT} `)), [
      `-A ${EXT} ${C('pod traffic for default/web:http external destinations')} -s 10.42.0.0/16 -j ${SVC}`,
      `-A ${EXT} ${C('masquerade LOCAL traffic for default/web:http external destinations')} -m addrtype --src-type LOCAL -j KITE-MARK-MASQ`,
      `-A ${EXT} ${C('route LOCAL traffic for default/web:http external destinations')} -m addrtype --src-type LOCAL -j ${SVC}`,
      `-A ${EXT} -j ${svlChain(sp)}`,
    ]);
    const remote = lines(port({ nodePort: 30080, externalLocal: true, endpoints: [ep('10.42.1.3', { nodeName: 'n2' })] }));
    assert.ok(remote.includes(`-A KITE-NODEPORTS ${C('default/web:http has no local endpoints')} -m tcp -p tcp --dport 30080 -j DROP`));
    assert.ok(!remote.some((l) => l.startsWith(`-A ${EXT} -j `)));
  });

  it('hooks the built-in chains once: missing jumps are inserted in order, present ones left alone', () => {
    const text = lines(port());
    assert.deepEqual(section(text, 'filter').filter((l) => l.startsWith('-I ')), [
      '-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment "kite service portals" -j KITE-SERVICES',
      '-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment "kite externally-visible service portals" -j KITE-EXTERNAL-SERVICES',
      '-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment "kite service portals" -j KITE-SERVICES',
      '-I FORWARD 1 -m comment --comment "kite forwarding rules" -j KITE-FORWARD',
      '-I INPUT 1 -m conntrack --ctstate NEW -m comment --comment "kite externally-visible service portals" -j KITE-EXTERNAL-SERVICES',
    ]);
    assert.deepEqual(section(text, 'nat').filter((l) => l.startsWith('-I ')), [
      '-I POSTROUTING 1 -m comment --comment "kite postrouting rules" -j KITE-POSTROUTING',
      '-I OUTPUT 1 -m comment --comment "kite service portals" -j KITE-SERVICES',
      '-I PREROUTING 1 -m comment --comment "kite service portals" -j KITE-SERVICES',
    ]);
    const existing = nothingExisting();
    for (const j of JUMPS) existing.jumps.add(jumpKey(j.table, j.chain, j.target));
    assert.ok(!renderIptables({ node, ports: [port()] }, existing).includes('-I '));
  });

  it('flushes and deletes KITE-* chains that no Service uses any more', () => {
    const existing = nothingExisting();
    existing.chains.nat = new Set(['KITE-SERVICES', SVC, EP1, EP2, 'KITE-SVC-GONE000000000000']);
    const nat = section(renderIptables({ node, ports: [port({ endpoints: [ep('10.42.0.2')] })] }, existing).split('\n'), 'nat');
    assert.ok(nat.includes(`:${EP2} - [0:0]`));
    assert.deepEqual(nat.filter((l) => l.startsWith('-X ')), [`-X ${EP2}`, '-X KITE-SVC-GONE000000000000']);
    assert.ok(nat.indexOf(`-X ${EP2}`) > nat.lastIndexOf(`-A ${SVC} ${C('default/web:http -> 10.42.0.2:8080')} -j ${EP1}`));
  });
});
