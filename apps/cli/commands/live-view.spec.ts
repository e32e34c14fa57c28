import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bar, LiveView } from './live-view';

/** A stream that keeps what is written (the terminal or the log the view writes to). */
function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('LiveView', () => {
  it('on a terminal redraws its lines in place', () => {
    const out = capture();
    const view = new LiveView(out.stream, true);
    view.update([
      { key: 'a', text: 'scan RUNNING' },
      { key: 'b', text: '  dns running' },
    ]);
    view.update([
      { key: 'a', text: 'scan RUNNING' },
      { key: 'b', text: '  dns done' },
    ]);
    expect(out.text()).toBe(
      '\x1b[2Kscan RUNNING\n\x1b[2K  dns running\n' +
        '\x1b[2A\x1b[2Kscan RUNNING\n\x1b[2K  dns done\n',
    );
  });

  it('elsewhere prints only the lines that changed, once each', () => {
    const out = capture();
    const view = new LiveView(out.stream, false);
    view.update([
      { key: 'a', text: 'scan QUEUED' },
      { key: 'b', text: '  dns pending' },
    ]);
    view.update([
      { key: 'a', text: 'scan RUNNING' },
      { key: 'b', text: '  dns pending' },
    ]);
    view.update([
      { key: 'a', text: 'scan RUNNING' },
      { key: 'b', text: '  dns done' },
    ]);
    expect(out.text()).toBe('scan QUEUED\n  dns pending\nscan RUNNING\n  dns done\n');
  });

  it('draws a bar of done over total', () => {
    expect(bar(0, 4, 8)).toBe('[--------] 0/4');
    expect(bar(2, 4, 8)).toBe('[####----] 2/4');
    expect(bar(0, 0, 8)).toBe('[--------] 0/0');
  });
});
