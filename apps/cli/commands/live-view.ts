/**
 * A progress display. On a terminal it redraws its lines in place; elsewhere (a pipe, a CI log)
 * it prints one line each time a line changes, never the whole view again.
 * Hand-written: three ANSI sequences (cursor up, clear line) do not need a dependency.
 */
export class LiveView {
  private readonly last = new Map<string, string>();
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty: boolean = Boolean(out.isTTY),
  ) {}

  /** The whole view now, as keyed lines (the key says which line changed). */
  update(lines: Array<{ key: string; text: string }>): void {
    if (this.tty) {
      let frame = this.drawn ? `\x1b[${this.drawn}A` : '';
      for (const l of lines) frame += `\x1b[2K${l.text}\n`;
      this.out.write(frame);
      this.drawn = lines.length;
      return;
    }
    for (const l of lines) {
      if (this.last.get(l.key) === l.text) continue;
      this.last.set(l.key, l.text);
      this.out.write(`${l.text}\n`);
    }
  }
}

/** `[#####-----]  5/10` */
export function bar(done: number, total: number, width = 30): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}
