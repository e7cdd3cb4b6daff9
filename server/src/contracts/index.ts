export * from './errors.js';
export * from './health.js';
export * from './auth.js';
export * from './audit.js';
export * from './realtime.js';
export * from './conversations.js';
export * from './routing.js';
