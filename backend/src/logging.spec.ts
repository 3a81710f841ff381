import { censorSecrets } from './logging.js';

describe('censorSecrets', () => {
  it('replaces credential fields at the top and one level down, leaving the object given untouched', () => {
    const logged = { msg: 'x', password: 'p', body: { api_key: 'k', name: 'n' }, refresh_token: 't', count: 2 };
    expect(censorSecrets(logged)).toEqual({
      msg: 'x',
      password: '[redacted]',
      body: { api_key: '[redacted]', name: 'n' },
      refresh_token: '[redacted]',
      count: 2,
    });
    expect(logged.password).toBe('p');
    expect(logged.body.api_key).toBe('k');
  });

  it('censors an error’s own credential fields and keeps it an error; gives back the same object when there is nothing to hide', () => {
    const error = Object.assign(new Error('boom'), { secret: 's', code: 'E1' });
    const out = censorSecrets({ msg: 'failed', err: error }) as { err: Error & { secret: string; code: string } };
    expect(out.err).toBeInstanceOf(Error);
    expect(out.err).toMatchObject({ message: 'boom', secret: '[redacted]', code: 'E1' });
    expect(out.err.stack).toBe(error.stack);
    expect(error.secret).toBe('s');
    const clean = { msg: 'ok', err: new Error('x'), nested: { name: 'n' }, response: new Map([['password', 'not looked into']]) };
    expect(censorSecrets(clean)).toBe(clean);
  });
});
