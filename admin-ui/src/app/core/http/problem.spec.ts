import { HttpErrorResponse } from '@angular/common/http';
import { aProblem } from '../../../testing/session-fixtures';
import { fieldErrors, hasFieldErrorCode, problemDependents, problemItems, problemMessage, problemNumber } from './problem';

describe('problem details', () => {
  it('reads a problem document sent as text (responseType text: deletes, exports)', () => {
    const error = new HttpErrorResponse({
      status: 409,
      error: JSON.stringify(aProblem(409, 'Cannot delete: in use by knowledge base Support')),
    });
    expect(problemMessage(error)).toBe('Cannot delete: in use by knowledge base Support');
  });

  it('reads the error a resource wrapped', () => {
    const http = new HttpErrorResponse({ status: 404, error: aProblem(404, 'No model with id x') });
    expect(problemMessage(new Error('wrapped', { cause: http }))).toBe('No model with id x');
  });

  it('finds field codes and the per-item refusals of a bulk change', () => {
    const error = new HttpErrorResponse({
      status: 422,
      error: {
        ...aProblem(422, 'invalid', [{ field: 'api_key', message: 'enter it again' }]),
        errors: [{ field: 'api_key', message: 'enter it again', code: 'key_reentry_required' }],
      },
    });
    expect(hasFieldErrorCode(error, 'api_key', 'key_reentry_required')).toBe(true);
    expect(fieldErrors(error)).toEqual({ api_key: 'enter it again' });

    const bulk = new HttpErrorResponse({
      status: 400,
      error: { ...aProblem(400, 'refused'), items: [{ id: 'm-1', reason: 'default' }, { nope: true }] },
    });
    expect(problemItems(bulk)).toEqual([{ id: 'm-1', reason: 'default' }]);
  });

  it('reads the dependents of a refused delete and the limit of a refused upload, when they are there', () => {
    const refused = new HttpErrorResponse({
      status: 409,
      error: { ...aProblem(409, 'Cannot delete'), dependents: { knowledge_bases: [{ id: 'kb-1', name: 'Support' }], conversations: [] } },
    });
    expect(problemDependents(refused)).toEqual({
      knowledge_bases: [{ id: 'kb-1', name: 'Support' }],
      conversations: [],
      successor_of: [],
      default_for: [],
      models: [],
      settings: [],
      blocks_delete: true,
    });
    expect(
      problemDependents(new HttpErrorResponse({ status: 409, error: { ...aProblem(409, 'x'), dependents: { knowledge_bases: 'no' } } })),
    ).toBeNull();
    expect(problemDependents(new HttpErrorResponse({ status: 409, error: aProblem(409, 'x') }))).toBeNull();
    expect(problemNumber(new HttpErrorResponse({ status: 413, error: { ...aProblem(413, 'big'), max_bytes: 1024 } }), 'max_bytes')).toBe(
      1024,
    );
    expect(problemNumber(new HttpErrorResponse({ status: 413, error: aProblem(413, 'big') }), 'max_bytes')).toBeNull();
  });

  it('says when the server cannot be reached', () => {
    expect(problemMessage(new HttpErrorResponse({ status: 0 }))).toContain('cannot be reached');
  });
});
