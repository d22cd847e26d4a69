// Builders for Job and CronJob in tests.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

export const T0 = Date.parse('2024-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function jobPodTemplate(restartPolicy: string | null = 'Never'): PodTemplateSpec {
  const t: PodTemplateSpec = { spec: { containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'] }] } };
  if (restartPolicy) t.spec!.restartPolicy = restartPolicy;
  return t;
}

export function makeJob(name: string, restartPolicy: string | null = 'Never'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: 'default', creationTimestamp: iso(T0) },
    spec: { template: jobPodTemplate(restartPolicy) },
  };
}

export function makeCronJob(name: string, schedule: string): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name, namespace: 'default', creationTimestamp: iso(T0) },
    spec: { schedule, jobTemplate: { spec: { template: jobPodTemplate('OnFailure') } } },
  };
}
