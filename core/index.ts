export * from './clock';
export * from './config';
export * from './emitter';
export * from './journal';
export * from './random';
export * from './server';
export * from './faults';
export * from './api-docs';
