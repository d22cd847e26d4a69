// One Backend watch on etcd: its own gRPC watch stream with prevKv, resumed from the next expected
// revision if the stream breaks, so delivery stays ordered without gaps or duplicates.
import type { Etcd3, IWatchResponse } from 'etcd3';
import { CompactedError, StorageError, type Watch, type WatchOptions } from '../backend.js';
import { type Logger, silentLogger } from '../../apimachinery/log.js';
import type { KeyCodec } from './codec.js';

/** The duplex stream etcd3's WatchClient hands out (typed loosely: etcd3 does not export it). */
interface WatchStream {
  write(req: unknown): boolean;
  on(event: 'data', fn: (res: IWatchResponse) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'end', fn: () => void): this;
  end(): void;
  cancel(): void;
}

const MAX_BACKOFF_MS = 5000;

export class EtcdWatch implements Watch {
  /** The revision of the next event to deliver; 0 until etcd tells us where "now" is. */
  private nextRevision: number;
  private stream: WatchStream | undefined;
  private closed = false;
  private backoffMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Etcd3,
    private readonly codec: KeyCodec,
    private readonly prefix: string,
    private readonly opts: WatchOptions,
    private readonly onClosed: (w: EtcdWatch) => void,
    private readonly logger: Logger = silentLogger,
  ) {
    this.nextRevision = opts.startRevision && opts.startRevision > 0 ? opts.startRevision : 0;
    void this.connect();
  }

  cancel(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.closeStream();
    this.onClosed(this);
  }

  /** Ends the watch with `err`; no events follow. */
  fail(err: Error): void {
    if (this.closed) return;
    this.cancel();
    this.opts.onError(err);
  }

  private async connect(): Promise<void> {
    let stream: WatchStream;
    try {
      stream = (await this.client.watchClient.watch()) as unknown as WatchStream;
    } catch (err) {
      this.retry(err);
      return;
    }
    if (this.closed) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    stream.on('data', (res) => this.onResponse(stream, res));
    stream.on('error', (err) => { if (this.stream === stream) this.retry(err); });
    stream.on('end', () => { if (this.stream === stream) this.retry(new StorageError('etcd watch stream ended')); });
    stream.write({
      create_request: {
        ...this.codec.range(this.prefix),
        ...(this.nextRevision > 0 ? { start_revision: this.nextRevision } : {}),
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private onResponse(stream: WatchStream, res: IWatchResponse): void {
    if (this.closed || this.stream !== stream) return;
    this.backoffMs = 100;
    const headerRevision = Number(res.header?.revision ?? 0);
    if (res.canceled) {
      const compacted = Number(res.compact_revision ?? 0);
      this.fail(compacted > 0
        ? new CompactedError(this.nextRevision, compacted)
        : new StorageError(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    if (res.created) {
      if (this.nextRevision === 0) this.nextRevision = headerRevision + 1;
      return;
    }
    const events = (res.events ?? []).map((e) => this.codec.event(e)).filter((e) => e.kv.modRevision >= this.nextRevision);
    if (events.length > 0) {
      this.nextRevision = events[events.length - 1].kv.modRevision + 1;
      try {
        this.opts.onEvents(events);
      } catch (err) {
        this.fail(err instanceof Error ? err : new StorageError(String(err)));
      }
    } else if ((res.events ?? []).length === 0 && headerRevision > 0) {
      // A progress notification: every event up to the header revision has been sent.
      this.nextRevision = Math.max(this.nextRevision, headerRevision + 1);
      this.opts.onProgress?.(headerRevision);
    }
  }

  /** The stream broke: resume from the next expected revision after a growing pause. */
  private retry(err: unknown): void {
    if (this.closed) return;
    this.logger.warn('etcd watch stream broke; resuming', { prefix: this.prefix, revision: this.nextRevision, err: String(err) });
    this.closeStream();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private closeStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return;
    // Cancelling reports a CANCELLED error on the stream; swallow it, it is ours. The write side
    // is closed first: the etcd3 client counts an error on a still-writable stream against the
    // host, and a few watches ending together would otherwise open its circuit breaker and fail
    // every request for seconds.
    stream.on('error', () => {});
    try {
      stream.end();
      stream.cancel();
    } catch {
      // already closed
    }
  }
}
