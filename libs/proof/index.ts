export * from './canonical';
export * from './proof.errors';
export * from './tsa-client';
export * from './tsp';
export * from './proof.service';
