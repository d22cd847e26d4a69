// Server-side apply and managedFields: the merge, ownership and conflicts, by a TypeSchema.
export * from './conflict.js';
export * from './entries.js';
export * from './last-applied.js';
export * from './merge.js';
export * from './ownership.js';
