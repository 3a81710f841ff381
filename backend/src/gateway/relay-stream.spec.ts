import { ModelRename, RelayedEvents } from './relay-stream.js';

describe('ModelRename', () => {
  const rename = new ModelRename('gpt-4o-mini', 'Team $& GPT');

  it('puts the display name where the upstream wrote its id, and leaves every other byte as it came', () => {
    const upstream = '{"id":"c1","model":"gpt-4o-mini","choices":[{"message":{"content":"1.0e3 \\u00e9"}}],"usage":{"prompt_tokens":3}}';
    expect(rename.apply(upstream)).toBe(upstream.split('"gpt-4o-mini"').join('"Team $& GPT"'));
  });

  it('does not touch the id inside a string value, where its quotes are escaped', () => {
    const content = '{"model":"other","choices":[{"message":{"content":"say \\"model\\":\\"gpt-4o-mini\\""}}]}';
    expect(rename.apply(content)).toBe(content);
  });

  it('gives back the very text when the upstream named no such model (the caller then rewrites it)', () => {
    const spaced = '{ "model": "gpt-4o-mini" }';
    expect(rename.apply(spaced)).toBe(spaced);
  });
});

describe('RelayedEvents', () => {
  it('renames each event, reads the final usage and withholds the usage chunk unless asked for', () => {
    const events = new RelayedEvents(new ModelRename('gpt-4o-mini', 'fast'), false);
    expect(
      events.take(
        Buffer.from('data: {"model":"gpt-4o-mini","choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"model":"gpt-4o-mini","choi'),
      ),
    ).toEqual(['{"model":"fast","choices":[{"delta":{"content":"Hi"}}]}']);
    expect(events.take(Buffer.from('ces":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}\n\ndata: [DONE]\n\n'))).toEqual([]);
    expect(events.usage()).toEqual({ inputTokens: 5, outputTokens: 1 });
  });

  it('passes the usage chunk on when the client asked for it, and keeps a character split across reads whole', () => {
    const events = new RelayedEvents(new ModelRename('gpt-4o-mini', 'fast'), true);
    const text = Buffer.from('data: {"choices":[{"delta":{"content":"é"}}]}\n\n');
    const split = text.indexOf(Buffer.from('é')) + 1;
    expect(events.take(text.subarray(0, split))).toEqual([]);
    expect(events.take(text.subarray(split))).toEqual(['{"choices":[{"delta":{"content":"é"}}]}']);
    const usage = '{"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3}}';
    expect(events.take(Buffer.from(`data: ${usage}\n\ndata: [DONE]\n\n`))).toEqual([usage]);
    expect(events.usage()).toEqual({ inputTokens: 2, outputTokens: 3 });
  });
});
