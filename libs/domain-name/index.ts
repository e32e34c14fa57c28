export { InvalidDomainName, type InvalidDomainNameReason } from './invalid-domain-name.error';
export {
  isValidDomainName,
  validateDomainName,
  type ValidDomainName,
} from './validate-domain-name';
export { specialUseSuffix } from './special-use';
