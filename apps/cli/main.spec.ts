import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../libs/embedded/paths';

const run = promisify(execFile);
const entry = path.join(projectRoot(), 'dist/apps/cli/main.js');

describe('the perimeter command (built)', () => {
  it('prints its usage with exit 2 when the command is unknown', async () => {
    const failed = await run(process.execPath, [entry, 'nonsense']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('perimeter <command>'),
    });
  });
});
