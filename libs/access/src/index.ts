export * from './api-key';
export * from './authenticate';
export * from './key-admin';
export * from './key-directory';
export * from './key-table';
export * from './require-auth';
