import { HttpErrorResponse } from '@angular/common/http';
import { aProblem } from '../../../testing/session-fixtures';
import { fieldErrors, hasFieldErrorCode, problemItems, problemMessage } from './problem';

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

  it('says when the server cannot be reached', () => {
    expect(problemMessage(new HttpErrorResponse({ status: 0 }))).toContain('cannot be reached');
  });
});
