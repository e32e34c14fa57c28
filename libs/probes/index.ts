export * from './output-parsers';
export * from './standard-result';
