// Score normalisation shared by Score plugins (Kubernetes' plugins/helper DefaultNormalizeScore).
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/types.js';

/**
 * Scales scores so the highest becomes `max` (integer division, as Kubernetes does); `reverse`
 * then flips them (max - score), for plugins where fewer is better. All-zero scores stay 0, or
 * all become `max` when reversed.
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) highest = Math.max(highest, s.score);
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
}
