// Jobs: the generated selector and labels that tie a job to its pods, set at create time.
import { prepareJobForCreate } from '../../../api/resources/batch/index.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Strategy } from '../strategy.js';

export const jobStrategy: Strategy = {
  prepareForCreate(obj) {
    prepareJobForCreate(obj as Job, obj.metadata!.uid!);
  },
};
