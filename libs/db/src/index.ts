export * from './array-literals';
export * from './errors';
export * from './identifiers';
export * from './migrate';
export * from './pool';
export * from './sql-split';
export * from './transaction';
export * from './statistics-keeper';
