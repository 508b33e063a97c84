export * from './envelope';
export * from './identifier-hash';
export * from './secret-token';
