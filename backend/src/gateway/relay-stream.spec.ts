import { ModelRename, relayEvents } from './relay-stream.js';

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

describe('relayEvents', () => {
  async function* bytes(...parts: string[]) {
    for (const part of parts) yield Buffer.from(part);
  }

  it('renames each event, reads the final usage and withholds the usage chunk unless asked for', async () => {
    const body = bytes(
      'data: {"model":"gpt-4o-mini","choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"model":"gpt-4o-mini","choi',
      'ces":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}\n\ndata: [DONE]\n\n',
    );
    const stream = relayEvents(body, new ModelRename('gpt-4o-mini', 'fast'), false);
    const batches: string[][] = [];
    for await (const batch of stream.events) batches.push(batch);
    expect(batches).toEqual([['{"model":"fast","choices":[{"delta":{"content":"Hi"}}]}']]);
    expect(stream.usage()).toEqual({ inputTokens: 5, outputTokens: 1 });
  });
});
