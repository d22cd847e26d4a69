// Admission of the runtime's expensive calls (RunPodSandbox, CreateContainer, StartContainer):
// at most `slots` run at once, and waiting calls go in the order their pods were first seen, so
// when many pods arrive together each finishes as early as it can instead of all of them
// contending for the machine until the last is done. Calls of one pod keep its place in line.

interface Waiter { rank: number; seq: number; grant: () => void }

export class PodOrderLimiter {
  private running = 0;
  private nextRank = 0;
  private nextSeq = 0;
  private readonly ranks = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(readonly slots: number) {
    if (!(slots >= 1)) throw new Error(`slots must be at least 1, got ${slots}`);
  }

  /** Runs `f` once a slot is free and no earlier pod's call waits. */
  async run<T>(podUid: string, f: () => Promise<T>): Promise<T> {
    await this.acquire(this.rankOf(podUid));
    try {
      return await f();
    } finally {
      this.release();
    }
  }

  /** Forgets a pod (deleted): its next call, if any, goes to the back of the line. */
  forget(podUid: string): void {
    this.ranks.delete(podUid);
  }

  get queued(): number {
    return this.waiting.length;
  }

  private rankOf(uid: string): number {
    let r = this.ranks.get(uid);
    if (r === undefined) this.ranks.set(uid, (r = this.nextRank++));
    return r;
  }

  private acquire(rank: number): Promise<void> {
    if (this.running < this.slots && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((grant) => {
      const w = { rank, seq: this.nextSeq++, grant };
      // Sorted by rank, then arrival: the queue is short (pods being started), so insertion is cheap.
      let i = this.waiting.length;
      while (i > 0 && (this.waiting[i - 1].rank > rank)) i--;
      this.waiting.splice(i, 0, w);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.running--;
  }
}
