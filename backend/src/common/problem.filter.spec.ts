import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { toProblem } from './problem.filter.js';

const quiet = { error: () => undefined } as never;

describe('toProblem for database failures', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a connect AggregateError (IPv4 and IPv6 both refused)',
      new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })], ''),
    ],
    [
      'a driver error wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection'), { code: '57P01' })),
    ],
    ['a cause chain', new Error('query failed', { cause: Object.assign(new Error('starting up'), { code: '57P03' }) })],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    ['the next statement of a transaction whose connection dropped', new QueryRunnerAlreadyReleasedError()],
  ])('answers 503 for %s', (_name, error) => {
    expect(toProblem(error, quiet)).toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  it('still answers 500 for an unknown failure', () => {
    expect(toProblem(new Error('something else'), quiet)).toMatchObject({ status: 500 });
  });
});
