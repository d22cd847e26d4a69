// A set of field paths, stored as a tree the way the FieldsV1 encoding nests it: each node knows
// which of its child elements are members themselves and which have members below them.
import { SELF, compareElements, isElement } from './element.js';

export type FieldsV1 = Record<string, unknown>;

export class FieldSet {
  private readonly members = new Set<string>();
  private readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: Iterable<readonly string[]>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Decodes a FieldsV1 object; throws on anything that is not one. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('FieldsV1 must be an object');
    for (const [k, child] of Object.entries(v as FieldsV1)) {
      if (k === SELF) continue;
      if (!isElement(k)) throw new Error(`invalid path element ${JSON.stringify(k)}`);
      if (child === null || typeof child !== 'object' || Array.isArray(child)) throw new Error(`invalid FieldsV1 at ${k}`);
      const entries = Object.keys(child);
      if (entries.length === 0 || entries.includes(SELF)) s.members.add(k);
      if (entries.some((e) => e !== SELF)) {
        const sub = FieldSet.fromFieldsV1(child);
        if (!sub.isEmpty()) s.children.set(k, sub);
      }
    }
    return s;
  }

  toFieldsV1(): FieldsV1 {
    const out: FieldsV1 = {};
    const keys = [...new Set([...this.members, ...this.children.keys()])].sort(compareElements);
    for (const k of keys) {
      const child = this.children.get(k);
      const body: FieldsV1 = {};
      if (child && this.members.has(k)) body[SELF] = {};
      if (child) Object.assign(body, child.toFieldsV1());
      out[k] = body;
    }
    return out;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let next = node.children.get(path[i]);
      if (!next) node.children.set(path[i], (next = new FieldSet()));
      node = next;
    }
    node.members.add(path[path.length - 1]);
  }

  has(path: readonly string[]): boolean {
    const node = this.child(path.slice(0, -1));
    return node !== undefined && path.length > 0 && node.members.has(path[path.length - 1]);
  }

  /** The subtree below `path` (members whose paths start with it), if any. */
  child(path: readonly string[]): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const e of path) {
      node = node.children.get(e);
      if (!node) return undefined;
    }
    return node;
  }

  /** Whether `path` or anything below it is a member. */
  hasPrefix(path: readonly string[]): boolean {
    if (this.has(path)) return true;
    const sub = this.child(path);
    return sub !== undefined && !sub.isEmpty();
  }

  isEmpty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  union(o: FieldSet): FieldSet {
    const out = this.copy();
    for (const m of o.members) out.members.add(m);
    for (const [k, c] of o.children) out.children.set(k, out.children.get(k)?.union(c) ?? c.copy());
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (o.members.has(m)) out.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (!i.isEmpty()) out.children.set(k, i);
    }
    return out;
  }

  /** Members of this set that are not members of `o` (paths below them are compared one by one). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.difference(oc) : c.copy();
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  /** Members of this set not equal to or below any member of `o` (removes whole subtrees). */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const oc = o.children.get(k);
      const d = oc ? c.recursiveDifference(oc) : c.copy();
      if (!d.isEmpty()) out.children.set(k, d);
    }
    return out;
  }

  /** Every member path, a node before the paths below it, siblings in Kubernetes' order. */
  paths(prefix: readonly string[] = []): string[][] {
    const out: string[][] = [];
    const keys = [...new Set([...this.members, ...this.children.keys()])].sort(compareElements);
    for (const k of keys) if (this.members.has(k)) out.push([...prefix, k]);
    for (const k of keys) {
      const c = this.children.get(k);
      if (c) out.push(...c.paths([...prefix, k]));
    }
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [k, c] of this.children) out.children.set(k, c.copy());
    return out;
  }
}
