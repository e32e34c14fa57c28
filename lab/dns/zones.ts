import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseZoneFile, type Zone } from './zone-file';

/**
 * Loads one master file. Relative names before any $ORIGIN are relative to the file name
 * without '.zone' (as a server's zone statement would make them); the zone is the SOA owner.
 */
export async function loadZoneFile(path: string): Promise<Zone> {
  const text = await readFile(path, 'utf8');
  return parseZoneFile(text, { fileName: path, origin: basename(path).replace(/\.zone$/, '') });
}

/** Loads every '*.zone' file of `dir`, in file-name order. */
export async function loadZoneDir(dir: string): Promise<Zone[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.zone')).sort();
  return Promise.all(names.map((name) => loadZoneFile(join(dir, name))));
}
