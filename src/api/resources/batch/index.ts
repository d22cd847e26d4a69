// Every batch/v1 resource Kite serves.
import type { ResourceType } from '../../types.js';
import { cronjobs } from './cronjob.js';
import { jobs } from './job.js';

export const batchV1Resources: ResourceType[] = [jobs, cronjobs];
export { prepareJobForCreate } from './job.js';
