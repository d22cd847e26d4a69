import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterrolebindings } from './clusterrolebinding.js';
import { clusterroles } from './clusterrole.js';
import { rolebindings } from './rolebinding.js';
import { roles } from './role.js';
import { rbacV1Resources } from './index.js';

const k = <T>(o: T) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const T0 = Date.parse('2024-01-01T00:00:00Z');

function binding(kind = 'ClusterRole', name = 'view'): RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: 'read', namespace: 'dev', creationTimestamp: '2024-01-01T00:00:00Z' },
    roleRef: { apiGroup: '', kind, name },
    subjects: [
      { kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'dev' }, { kind: 'User', name: 'bob' },
    ],
  };
}

describe('RBAC defaults', () => {
  it('fills roleRef and subject API groups, leaving a ServiceAccount\'s core group out', () => {
    const rb = binding();
    rolebindings.setDefaults!(k(rb));
    assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(rb.subjects!.map((s) => s.apiGroup),
      ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined, 'rbac.authorization.k8s.io']);
    assert.equal('apiGroup' in rb.subjects![2], false);
  });
});

describe('RBAC validation', () => {
  it('accepts a defaulted binding and a system: name', () => {
    const rb = binding();
    rb.metadata!.name = 'system:controller:reader';
    rolebindings.setDefaults!(k(rb));
    assert.deepEqual(rolebindings.validate!(k(rb)), []);
  });

  it('refuses to change roleRef', () => {
    const old = binding();
    rolebindings.setDefaults!(k(old));
    const upd = structuredClone(old);
    upd.roleRef.name = 'edit';
    assert.deepEqual(messages(rolebindings.validateUpdate!(k(upd), k(old))), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
  });

  it('lets subjects change', () => {
    const old = binding();
    rolebindings.setDefaults!(k(old));
    const upd = structuredClone(old);
    upd.subjects = [];
    assert.deepEqual(rolebindings.validateUpdate!(k(upd), k(old)), []);
  });

  const cases: { name: string; mutate: (rb: ClusterRoleBinding) => void; want: string[] }[] = [
    {
      name: 'a Role from a ClusterRoleBinding', mutate: (rb) => { rb.roleRef.kind = 'Role'; },
      want: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"'],
    },
    {
      name: 'a service account without namespace', mutate: (rb) => { delete rb.subjects![2]!.namespace; },
      want: ['subjects[2].namespace: Required value'],
    },
    {
      name: 'an unknown subject kind', mutate: (rb) => { rb.subjects![0]!.kind = 'Robot'; },
      want: ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'],
    },
    {
      name: 'a name with a slash', mutate: (rb) => { rb.metadata!.name = 'a/b'; },
      want: ["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const crb = { ...binding(), kind: 'ClusterRoleBinding' } as ClusterRoleBinding;
      delete crb.metadata!.namespace;
      clusterrolebindings.setDefaults!(k(crb));
      c.mutate(crb);
      assert.deepEqual(messages(clusterrolebindings.validate!(k(crb))), c.want);
    });
  }

  it('requires verbs, API groups and resources on rules', () => {
    const role = { metadata: { name: 'r', namespace: 'dev' }, rules: [{ resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
    assert.deepEqual(messages(roles.validate!(k(role))), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    const clusterRole = { metadata: { name: 'health' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
    assert.deepEqual(clusterroles.validate!(k(clusterRole)), []);
  });

  it('requires selectors in an aggregation rule', () => {
    const cr = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [] } };
    assert.deepEqual(messages(clusterroles.validate!(k(cr))), [
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });
});

describe('RBAC printing', () => {
  it('prints a binding with its role and subjects', () => {
    assert.deepEqual(rolebindings.row!(k(binding()), T0 + 2 * 3_600_000), ['ClusterRole/view', '120m', 'alice, bob', 'devs', 'dev/ci']);
    assert.deepEqual(rolebindings.columns!.map((c) => `${c.name}/${c.priority}`),
      ['Role/0', 'Age/0', 'Users/1', 'Groups/1', 'ServiceAccounts/1']);
  });

  it('prints roles with their creation time', () => {
    const role = { metadata: { name: 'r', creationTimestamp: '2024-01-01T00:00:00Z' } };
    assert.deepEqual(roles.row!(k(role), T0), ['2024-01-01T00:00:00Z']);
    assert.deepEqual(roles.columns, [{ name: 'Created At', type: 'date', priority: 0, description: roles.columns![0]!.description }]);
  });

  it('scopes roles to namespaces and cluster roles to the cluster', () => {
    assert.deepEqual(rbacV1Resources.map((r) => `${r.plural}:${r.namespaced}`),
      ['roles:true', 'rolebindings:true', 'clusterroles:false', 'clusterrolebindings:false']);
  });
});
