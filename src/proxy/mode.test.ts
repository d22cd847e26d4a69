import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectProxyMode } from './mode.js';
import type { CommandRunner } from './nft.js';

/** A host where the named programs fail; records what ran. */
function host(failing: string[]): { run: CommandRunner; ran: string[] } {
  const ran: string[] = [];
  const run: CommandRunner = async (argv, stdin) => {
    ran.push(`${argv.join(' ')}${stdin ? ` <<< ${stdin.trim()}` : ''}`);
    return failing.some((f) => argv.includes(f)) ? { code: 1, stdout: '', stderr: 'not supported' } : { code: 0, stdout: '', stderr: '' };
  };
  return { run, ran };
}

describe('proxy mode detection', () => {
  it('picks nftables when nft can create and delete a scratch table', async () => {
    const { run, ran } = host([]);
    assert.equal(await detectProxyMode(run), 'nftables');
    assert.match(ran[0]!, /^nft -f - <<< add table ip kite-probe-[0-9a-f]{8}$/);
    assert.equal(ran[1], ran[0]!.replace('add table', 'delete table'));
  });

  it('falls back to iptables, then to userspace', async () => {
    assert.equal(await detectProxyMode(host(['nft']).run), 'iptables');
    const none = host(['nft', 'iptables']);
    assert.equal(await detectProxyMode(none.run), 'userspace');
    assert.ok(none.ran.some((r) => r === 'iptables -w 5 -t nat -L -n'));
    assert.equal(await detectProxyMode(host(['nft', 'iptables-restore']).run), 'userspace');
  });

  it('runs its probes behind a prefix', async () => {
    const { run, ran } = host(['nft']);
    await detectProxyMode(run, { prefix: ['ip', 'netns', 'exec', 'ns1'] });
    assert.ok(ran.every((r) => r.startsWith('ip netns exec ns1 ')));
  });
});
