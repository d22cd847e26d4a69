// The outcome of a plugin call, as kube-scheduler's framework defines it.

export enum Code {
  Success = 0,
  /** An internal error: the pod is retried with backoff. */
  Error = 1,
  /** The pod does not fit this node now; preemption may help. */
  Unschedulable = 2,
  /** The pod does not fit this node, and preemption cannot change that. */
  UnschedulableAndUnresolvable = 3,
  /** Permit: wait for a decision. */
  Wait = 4,
  /** The plugin has nothing to do for this pod (PreFilter/PreScore): its later calls are skipped. */
  Skip = 5,
}

export class Status {
  /** The plugin that produced a non-success status (set by the framework). */
  plugin?: string;

  constructor(readonly code: Code = Code.Success, readonly reasons: string[] = []) {}

  static success(): Status { return SUCCESS; }
  static error(reason: string): Status { return new Status(Code.Error, [reason]); }
  static unschedulable(...reasons: string[]): Status { return new Status(Code.Unschedulable, reasons); }
  static unresolvable(...reasons: string[]): Status { return new Status(Code.UnschedulableAndUnresolvable, reasons); }
  static skip(): Status { return new Status(Code.Skip); }

  isSuccess(): boolean { return this.code === Code.Success; }
  isSkip(): boolean { return this.code === Code.Skip; }
  isRejected(): boolean { return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable; }
  message(): string { return this.reasons.join(', '); }

  withPlugin(name: string): Status {
    if (this.isSuccess()) return this;
    const s = new Status(this.code, this.reasons);
    s.plugin = name;
    return s;
  }
}

const SUCCESS = new Status(Code.Success);
