import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { jobs, prepareJobForCreate, setJobDefaults, validateJob, validateJobUpdate } from './job.js';
import { iso, makeJob, T0 } from './fixtures.js';

const UID = '0b6a1d2c-1111-4c6e-9a8e-000000000001';
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const kube = (j: Job) => j as unknown as KubeObject;

function created(job: Job): Job {
  setJobDefaults(job);
  prepareJobForCreate(job, UID);
  return job;
}

describe('Job defaults', () => {
  const cases: { name: string; spec: Partial<NonNullable<Job['spec']>>; want: Record<string, unknown> }[] = [
    { name: 'both unset: 1 and 1', spec: {}, want: { completions: 1, parallelism: 1 } },
    { name: 'parallelism only: completions stay unset', spec: { parallelism: 3 }, want: { completions: undefined, parallelism: 3 } },
    { name: 'completions only: parallelism 1', spec: { completions: 5 }, want: { completions: 5, parallelism: 1 } },
    { name: 'backoffLimit 6', spec: {}, want: { backoffLimit: 6 } },
    {
      name: 'backoffLimit max with backoffLimitPerIndex', spec: { backoffLimitPerIndex: 1, completionMode: 'Indexed', completions: 2 },
      want: { backoffLimit: 2147483647 },
    },
    { name: 'NonIndexed, not suspended', spec: {}, want: { completionMode: 'NonIndexed', suspend: false } },
    { name: 'podReplacementPolicy TerminatingOrFailed', spec: {}, want: { podReplacementPolicy: 'TerminatingOrFailed' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const job = makeJob('pi');
      Object.assign(job.spec!, c.spec);
      setJobDefaults(job);
      const got = Object.fromEntries(Object.keys(c.want).map((k) => [k, (job.spec as unknown as Record<string, unknown>)[k]]));
      assert.deepEqual(got, c.want);
    });
  }

  it('defaults the pod template, restartPolicy Always included (validation then rejects it)', () => {
    const job = makeJob('pi', null);
    setJobDefaults(job);
    assert.equal(job.spec!.template.spec!.restartPolicy, 'Always');
    assert.equal(job.spec!.template.spec!.terminationGracePeriodSeconds, 30);
  });

  it('copies template labels to a job without labels', () => {
    const job = makeJob('pi');
    job.spec!.template.metadata = { labels: { app: 'pi' } };
    setJobDefaults(job);
    assert.deepEqual(job.metadata!.labels, { app: 'pi' });
  });
});

describe('prepareJobForCreate', () => {
  it('labels the template, selects on the uid and copies labels to the job', () => {
    const job = created(makeJob('pi'));
    const labels = {
      'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': UID, 'job-name': 'pi',
    };
    assert.deepEqual(job.spec!.template.metadata!.labels, labels);
    assert.deepEqual(job.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
    assert.deepEqual(job.metadata!.labels, labels);
    assert.equal(job.spec!.manualSelector, false);
    assert.deepEqual(validateJob(job), []);
  });

  it('leaves a manual selector alone', () => {
    const job = makeJob('pi');
    job.spec!.manualSelector = true;
    job.spec!.selector = { matchLabels: { app: 'pi' } };
    job.spec!.template.metadata = { labels: { app: 'pi' } };
    created(job);
    assert.deepEqual(job.spec!.template.metadata!.labels, { app: 'pi' });
    assert.deepEqual(validateJob(job), []);
  });
});

describe('Job validation', () => {
  const cases: { name: string; job: () => Job; want: string[] }[] = [
    {
      name: 'restartPolicy Always',
      job: () => created(makeJob('pi', 'Always')),
      want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    },
    {
      name: 'restartPolicy unset',
      job: () => created(makeJob('pi', null)),
      want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    },
    {
      name: 'negative parallelism',
      job: () => { const j = makeJob('pi'); j.spec!.parallelism = -1; return created(j); },
      want: ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'a user selector without manualSelector',
      job: () => { const j = makeJob('pi'); j.spec!.selector = { matchLabels: { app: 'x' } }; return created(j); },
      want: [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "batch.kubernetes.io/controller-uid":"0b6a1d2c-1111-4c6e-9a8e-000000000001"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
        'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"0b6a1d2c-1111-4c6e-9a8e-000000000001", "batch.kubernetes.io/job-name":"pi", "controller-uid":"0b6a1d2c-1111-4c6e-9a8e-000000000001", "job-name":"pi"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'Indexed without completions',
      job: () => { const j = makeJob('pi'); j.spec!.completionMode = 'Indexed'; j.spec!.parallelism = 2; return created(j); },
      want: ['spec.completions: Required value: when completion mode is Indexed'],
    },
  ];
  for (const c of cases) it(`rejects ${c.name}`, () => assert.deepEqual(messages(validateJob(c.job())), c.want));

  it('rejects an unknown restartPolicy in the words of the Job check', () => {
    const got = messages(validateJob(created(makeJob('pi', 'Sometimes'))));
    assert.ok(got.includes('spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"'), got.join('\n'));
  });

  it('keeps selector and template immutable', () => {
    const old = created(makeJob('pi'));
    const upd = structuredClone(old);
    upd.spec!.template.spec!.containers[0]!.image = 'perl:5.36';
    upd.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } };
    const fields = validateJobUpdate(upd, old).map((e) => e.field);
    assert.ok(fields.includes('spec.template'));
    assert.ok(validateJobUpdate(upd, old).some((e) => e.field === 'spec.selector' && e.message.endsWith('field is immutable')));
  });

  it('allows scheduling directives to change while suspended and never started', () => {
    const old = created(makeJob('pi'));
    old.spec!.suspend = true;
    const upd = structuredClone(old);
    upd.spec!.template.spec!.nodeSelector = { disk: 'ssd' };
    assert.deepEqual(validateJobUpdate(upd, old), []);
    old.spec!.suspend = false;
    assert.deepEqual(validateJobUpdate(upd, old).map((e) => e.field), ['spec.template']);
  });
});

describe('Job printing', () => {
  it('shows a completed job with its duration', () => {
    const job = created(makeJob('pi'));
    (job as { status?: unknown }).status = {
      succeeded: 1, startTime: iso(T0), completionTime: iso(T0 + 65_000),
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
    };
    const row = jobs.row!(kube(job), T0 + 10 * 60_000);
    assert.deepEqual(row.slice(0, 4), ['Complete', '1/1', '65s', '10m']);
    assert.deepEqual(row.slice(4), ['pi', 'perl:5.34', `batch.kubernetes.io/controller-uid=${UID}`]);
  });

  const statusCases: { name: string; conditions: { type: string; status: string }[]; deleting?: boolean; want: string }[] = [
    { name: 'running', conditions: [], want: 'Running' },
    { name: 'failed', conditions: [{ type: 'Failed', status: 'True' }], want: 'Failed' },
    { name: 'suspended', conditions: [{ type: 'Suspended', status: 'True' }], want: 'Suspended' },
    { name: 'terminating', conditions: [], deleting: true, want: 'Terminating' },
  ];
  for (const c of statusCases) {
    it(`STATUS is ${c.want} when ${c.name}`, () => {
      const job = makeJob('pi');
      (job as { status?: unknown }).status = { conditions: c.conditions, startTime: iso(T0) };
      if (c.deleting) (job.metadata as { deletionTimestamp?: string }).deletionTimestamp = iso(T0);
      const row = jobs.row!(kube(job), T0 + 30_000);
      assert.deepEqual(row.slice(0, 3), [c.want, '0/1', '30s']);
    });
  }

  it('shows parallel jobs without completions as "n/1 of p"', () => {
    const job = makeJob('pi');
    job.spec!.parallelism = 3;
    assert.equal(jobs.row!(kube(job), T0)[1], '0/1 of 3');
  });

  it('selects jobs by status.successful', () => {
    const job = makeJob('pi');
    (job as { status?: unknown }).status = { succeeded: 2 };
    assert.equal(jobs.fields!['status.successful']!(kube(job)), '2');
  });
});
