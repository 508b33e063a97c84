export * from './error-mapping';
export * from './http-basics';
export * from './http-server';
export * from './logger';
export * from './metrics';
export * from './readiness';
export * from './redaction';
export * from './shutdown';
