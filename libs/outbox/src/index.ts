export * from './outbox-relay';
export * from './outbox-table';
export * from './outbox-writer';
