/** Why a report (or a whole file) could not be read; callers branch on `code`. */
export type DmarcReportErrorCode =
  | 'XML_DTD_REFUSED'
  | 'XML_MALFORMED'
  | 'NOT_A_REPORT'
  | 'DECOMPRESSED_TOO_LARGE'
  | 'TOO_MANY_ZIP_ENTRIES'
  | 'CORRUPT_ARCHIVE'
  | 'NO_REPORT_IN_EMAIL'
  | 'UNSUPPORTED_FORMAT'
  | 'TOO_MANY_RECORDS';

export class DmarcReportError extends Error {
  override readonly name = 'DmarcReportError';
  constructor(
    readonly code: DmarcReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDmarcReportError(err: unknown): err is DmarcReportError {
  return err instanceof DmarcReportError;
}
