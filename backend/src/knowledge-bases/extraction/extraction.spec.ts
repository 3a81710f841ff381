import { extractHtml } from './html.js';
import { detectMediaType } from './media-types.js';

describe('document extraction', () => {
  it('reads HTML text without scripts or styles, split at headings', () => {
    const doc = extractHtml(
      '<html><head><title> T </title></head><body><p>Lead</p><h2 id="a">A <em>b</em></h2><p>x&nbsp;y</p><script>evil()</script><h3>C</h3><pre>  keep\n  lines</pre></body></html>',
    );
    expect(doc.title).toBe('T');
    expect(doc.sections).toEqual([
      { heading: null, anchor: null, text: 'Lead' },
      { heading: 'A b', anchor: 'a', text: 'x y' },
      { heading: 'A b › C', anchor: 'c', text: 'keep\nlines' },
    ]);
  });

  it('detects the type by magic bytes, then extension, then the declared type', () => {
    const text = Buffer.from('hello');
    expect(detectMediaType('application/octet-stream', 'notes.MD', text)).toBe('text/markdown');
    expect(detectMediaType('text/plain', 'page.htm', text)).toBe('text/html');
    expect(detectMediaType(undefined, 'scan', Buffer.from('%PDF-1.7'))).toBe('application/pdf');
    expect(detectMediaType('text/plain; charset=utf-8', 'readme', text)).toBe('text/plain');
    expect(detectMediaType('application/pdf', 'fake.pdf', text)).toBeNull();
    expect(detectMediaType('image/png', 'logo.png', text)).toBeNull();
  });
});
