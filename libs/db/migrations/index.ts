import { Foundation1795348570017 } from './1795348570017-foundation';

/** Every migration, oldest first; listed explicitly so source and compiled code agree. */
export const migrations = [Foundation1795348570017];
