/**
 * Durable jobs: the one door into platform/jobs (see README.md). Modules declare `JobDefinition`s;
 * the composition root registers them on one `JobWorker` and hands a `JobQueue` to the services
 * that enqueue.
 */
export {
  defineJob,
  JobInputError,
  LeaseLostError,
  NonRetryableJobError,
  type Job,
  type JobContext,
  type JobDefinition,
  type JobState,
} from './job.js';
export { JobQueue, type EnqueueOptions, type EnqueueResult, type JobKind, type JobListOptions, type JobQueueDependencies } from './queue.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export { JobWorker, type JobWorkerDependencies, type JobWorkerOptions } from './worker.js';
