// NodeResourcesFit's scoring strategies, as pure functions of per-resource requested/allocatable
// amounts (Kubernetes' resource allocation scorers, integer arithmetic included).
import { MAX_NODE_SCORE } from '../../framework/types.js';

export interface ResourceSpec { name: string; weight: number }
export interface UtilizationShapePoint { utilization: number; score: number }

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

/** Shape scores run 0..MAX_CUSTOM_PRIORITY_SCORE and are scaled up to MAX_NODE_SCORE. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
export const MAX_UTILIZATION = 100;

export const DEFAULT_RESOURCES: ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

/** Scores one node from requested[i] (including the incoming pod) and allocatable[i] per resource. */
export type ResourceScorer = (requested: number[], allocatable: number[], resources: ResourceSpec[]) => number;

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Non-zero defaults can push requests above capacity; such a node counts as full.
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}

function weighted(per: (req: number, cap: number) => number): ResourceScorer {
  return (requested, allocatable, resources) => {
    let score = 0;
    let weightSum = 0;
    for (let i = 0; i < resources.length; i++) {
      if (allocatable[i] === 0) continue;
      const w = resources[i]!.weight;
      score += per(requested[i]!, allocatable[i]!) * w;
      weightSum += w;
    }
    return weightSum === 0 ? 0 : Math.trunc(score / weightSum);
  };
}

export const leastAllocatedScorer: ResourceScorer = weighted(leastRequestedScore);
export const mostAllocatedScorer: ResourceScorer = weighted(mostRequestedScore);

/** A piecewise-linear function through the points (sorted by utilization), flat beyond the ends. */
export function brokenLinearFunction(shape: UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      const cur = shape[i]!;
      if (p <= cur.utilization) {
        if (i === 0) return cur.score;
        const prev = shape[i - 1]!;
        return prev.score + Math.trunc(((cur.score - prev.score) * (p - prev.utilization)) / (cur.utilization - prev.utilization));
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

export function requestedToCapacityRatioScorer(shape: UtilizationShapePoint[]): ResourceScorer {
  const scaled = shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) }));
  const raw = brokenLinearFunction(scaled);
  const resourceScore = (requested: number, capacity: number): number => {
    if (capacity === 0 || requested > capacity) return raw(MAX_UTILIZATION);
    return raw(Math.trunc((requested * MAX_UTILIZATION) / capacity));
  };
  return (requested, allocatable, resources) => {
    let score = 0;
    let weightSum = 0;
    for (let i = 0; i < resources.length; i++) {
      if (allocatable[i] === 0) continue;
      const s = resourceScore(requested[i]!, allocatable[i]!);
      // Resources scoring 0 do not dilute the average.
      if (s > 0) {
        score += s * resources[i]!.weight;
        weightSum += resources[i]!.weight;
      }
    }
    return weightSum === 0 ? 0 : Math.round(score / weightSum);
  };
}

/** The fraction-based balance score: (1 - standard deviation of the usage fractions) × MAX_NODE_SCORE. */
export function balancedResourceScore(requested: number[], allocatable: number[]): number {
  // Runs for every node scored: the fractions are computed in place rather than collected.
  const fraction = (i: number) => Math.min(requested[i]! / allocatable[i]!, 1);
  let count = 0;
  let first = 0;
  let second = 0;
  let sum = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = fraction(i);
    if (count === 0) first = f;
    else if (count === 1) second = f;
    sum += f;
    count++;
  }
  let std = 0;
  if (count === 2) {
    // Two resources: the population standard deviation is half their difference.
    std = Math.abs((first - second) / 2);
  } else if (count > 2) {
    const mean = sum / count;
    let variance = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const f = fraction(i);
      variance += (f - mean) * (f - mean);
    }
    std = Math.sqrt(variance / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
