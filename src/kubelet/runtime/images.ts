// Making sure a container's image is present before it is created, per imagePullPolicy, as the
// kubelet's image manager does: ImageStatus first, PullImage when the policy asks for it, events
// Pulling/Pulled, and ErrImagePull → ImagePullBackOff with a doubling back-off between pulls.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { EventRecorder } from '../../client/controller.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { CrashLoopBackoff } from '../pods/backoff.js';
import type { ImageUser } from '../pods/security.js';
import type { Image, ImageService } from '../cri/types.js';

export class ImageError extends Error {
  constructor(readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName', message: string) {
    super(message);
  }
}

export interface PresentImage {
  /** The image id to create the container from. */
  ref: string;
  user?: ImageUser;
}

/** The API's default when the pod does not say: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function imageUser(img: Image): ImageUser | undefined {
  if (img.uid) return { uid: img.uid.value };
  if (img.username) return { username: img.username };
  return {};
}

export class ImagePuller {
  private readonly backoff: CrashLoopBackoff;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly images: ImageService, private readonly clock: Clock, private readonly recorder: EventRecorder) {
    this.backoff = new CrashLoopBackoff(clock);
  }

  async ensure(pod: Pod, c: Container): Promise<PresentImage> {
    const ref = pod as KubeObject;
    const image = c.image ?? '';
    if (!image) throw new ImageError('InvalidImageName', `Failed to apply default image tag "": couldn't parse image name "": invalid reference format`);
    const policy = pullPolicy(c);
    const status = await this.images.imageStatus({ image: { image } });
    const present = status.image;
    if (present && policy !== 'Always') {
      this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ref: present.id, user: imageUser(present) };
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(ref, 'Warning', 'ErrImageNeverPull', msg);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata?.uid}_${c.name}_${image}`;
    const last = this.failedAt.get(key);
    if (last !== undefined && this.backoff.isInBackoffSince(key, last)) {
      const msg = `Back-off pulling image "${image}"`;
      this.recorder.event(ref, 'Normal', 'BackOff', msg);
      throw new ImageError('ImagePullBackOff', msg);
    }
    this.recorder.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const began = this.clock.now();
    try {
      await this.images.pullImage({ image: { image } });
    } catch (e) {
      const now = this.clock.now();
      this.failedAt.set(key, now);
      this.backoff.next(key, now);
      const msg = `Failed to pull image "${image}": ${(e as Error).message}`;
      this.recorder.event(ref, 'Warning', 'Failed', msg);
      this.recorder.event(ref, 'Warning', 'Failed', 'Error: ErrImagePull');
      throw new ImageError('ErrImagePull', msg);
    }
    this.failedAt.delete(key);
    const after = (await this.images.imageStatus({ image: { image } })).image;
    const took = ((this.clock.now() - began) / 1000).toFixed(3);
    this.recorder.event(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s. Image size: ${after?.size ?? 0} bytes.`);
    return { ref: after?.id ?? image, user: after ? imageUser(after) : undefined };
  }

  /** Forgets the pod's failed pulls and their back-off (when the pod is gone). */
  forgetPod(uid: string): void {
    for (const k of [...this.failedAt.keys()]) if (k.startsWith(`${uid}_`)) this.failedAt.delete(k);
    this.backoff.forgetPrefix(`${uid}_`);
  }

  /** Drops back-off entries idle for more than twice the maximum, with their failure times. */
  gc(): void {
    this.backoff.gc();
    for (const k of [...this.failedAt.keys()]) if (!this.backoff.has(k)) this.failedAt.delete(k);
  }

  /** How many pulls are remembered as failed (for tests). */
  get failedPulls(): number {
    return this.failedAt.size;
  }
}
