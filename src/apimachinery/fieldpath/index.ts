// Field sets (FieldsV1) and the schema view the server-side apply machinery walks values with.
export * from './element.js';
export * from './schema.js';
export * from './set.js';
export * from './walk.js';
