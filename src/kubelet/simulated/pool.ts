// A bound on writes in flight: thousands of nodes and pods share a few concurrent API calls
// instead of each opening its own.
export class WritePool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly concurrency: number) {
    if (!(concurrency >= 1)) throw new Error('concurrency must be at least 1');
  }

  /** Calls waiting for a slot. */
  get backlog(): number {
    return this.waiting.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next caller, so `active` stays counted.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
