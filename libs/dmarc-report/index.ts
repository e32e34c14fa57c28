export * from './errors';
export * from './model';
export * from './unpack';
export * from './xml-report.parser';
export * from './read-reports';
export * from './generate-report';
