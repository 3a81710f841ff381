import { createValidationPipe } from '../../common/validation.js';
import { MAX_CONTENT, plainlyValidMessage, SendMessageRequest } from './conversation.dto.js';

/** What the validation pipe makes of a body: the request it passes on, or the field errors it refuses with. */
async function viaPipe(body: unknown): Promise<{ accepted: SendMessageRequest } | { refused: unknown }> {
  try {
    return {
      accepted: (await createValidationPipe().transform(body, { type: 'body', metatype: SendMessageRequest })) as SendMessageRequest,
    };
  } catch (error) {
    return { refused: error };
  }
}

describe('plainlyValidMessage (the message route’s check before the validation pipe)', () => {
  const valid = ['Hello', '  spaced  ', 'line one\nline two', 'x'.repeat(MAX_CONTENT), 'émoji 😀 and ✓', '\u00a0a'];
  const invalid: unknown[] = [
    null,
    'Hello',
    ['Hello'],
    {},
    { content: '' },
    { content: '   \n\t' },
    { content: 'a \u0000 b' },
    { content: 'x'.repeat(MAX_CONTENT + 1) },
    { content: 42 },
    { content: null },
    { content: ['Hello'] },
    { content: 'Hello', extra: true },
    { extra: true },
  ];

  it('passes plainly valid bodies as the pipe would: a SendMessageRequest holding the content as sent', async () => {
    for (const content of valid) {
      const fast = plainlyValidMessage({ content });
      expect(fast).toBeInstanceOf(SendMessageRequest);
      expect(await viaPipe({ content })).toEqual({ accepted: fast });
    }
  });

  it('leaves everything else to the pipe, which refuses each with its own field errors', async () => {
    for (const body of invalid) {
      expect(plainlyValidMessage(body)).toBeUndefined();
      expect(await viaPipe(body)).toHaveProperty('refused');
    }
  });

  it('is narrower than the decorators: a body past MAX_CONTENT code units but within it in characters goes to the pipe, which accepts it', async () => {
    // class-validator counts a surrogate pair as one character; this check counts code units.
    const content = '😀'.repeat(MAX_CONTENT / 2 + 1);
    expect(plainlyValidMessage({ content })).toBeUndefined();
    expect(await viaPipe({ content })).toEqual({ accepted: Object.assign(new SendMessageRequest(), { content }) });
  });
});
