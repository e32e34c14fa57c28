import Table from 'cli-table3';

export type Format = 'json' | 'table';

/** Rows as a table for people, or as JSON for scripts (always the full objects). */
export function render<T>(
  format: Format,
  value: T,
  rows: Array<Record<string, unknown>>,
  columns: string[],
): string {
  if (format === 'json') return JSON.stringify(value, null, 2);
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => String(row[c] ?? '')));
  return table.toString();
}
