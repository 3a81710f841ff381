import { classifyFailure, classifyStatus, retryAfterOf, scrub, type FailureContext } from './error-classifier.js';

const ctx: FailureContext = { host: 'api.example.com', modelId: 'm-1', timeoutMs: 30_000, secrets: ['sk-live-abcdef123456'] };

describe('error classification', () => {
  it('reads Retry-After as milliseconds, seconds, an HTTP date or Google RetryInfo', () => {
    expect(retryAfterOf({ 'retry-after-ms': '1500' })).toBe(1500);
    expect(retryAfterOf({ 'retry-after': '2' })).toBe(2000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterOf({ 'retry-after': inTenSeconds })).toBeGreaterThan(8000);
    expect(retryAfterOf({}, '{"error":{"details":[{"retryDelay":"3s"}]}}')).toBe(3000);
    expect(retryAfterOf({})).toBeUndefined();
  });

  it('never lets the key or anything shaped like a credential into a message', () => {
    const text = 'bad key sk-live-abcdef123456, header Bearer abc.def, url ?key=AIzaSyXXXX&x=1, other sk-proj-zzzzzzzzzz';
    const clean = scrub(text, ctx.secrets);
    expect(clean).not.toMatch(/abcdef123456|abc\.def|AIzaSyXXXX|zzzzzzzzzz/);
    const error = classifyStatus(400, ctx, JSON.stringify({ error: { message: `Invalid value for key sk-live-abcdef123456` } }));
    expect(error).toMatchObject({ errorClass: 'invalid_request', status: 400 });
    expect(error.message).not.toContain('abcdef123456');
  });

  it('classifies by shape, not by class: errors from another realm still count', () => {
    const foreignTimeout = { name: 'TimeoutError', message: 'The operation was aborted due to timeout' };
    expect(classifyFailure(foreignTimeout, ctx)).toMatchObject({ errorClass: 'timeout_error' });
    const wrapped = { name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } };
    expect(classifyFailure(wrapped, ctx)).toMatchObject({ errorClass: 'connection_error', retryable: true });
    const sdk = { name: 'AI_APICallError', statusCode: 529, responseBody: '{"type":"error"}', responseHeaders: {} };
    expect(classifyFailure(sdk, ctx)).toMatchObject({ errorClass: 'upstream_error', status: 529, countsAsOutage: true });
    const tls = { name: 'Error', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } };
    expect(classifyFailure(tls, ctx)).toMatchObject({ errorClass: 'tls_error' });
    expect(classifyFailure({ name: 'AI_JSONParseError' }, ctx)).toMatchObject({ errorClass: 'invalid_response' });
  });
});
