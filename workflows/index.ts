// Every workflow the domain-scan worker runs.
export { domainScan } from './domain-scan.workflow';
