import { Param, ParseUUIDPipe } from '@nestjs/common';
import { fieldError } from './domain-error.js';

/** A UUID path parameter; anything else is a 422 naming the parameter. */
export const IdParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => fieldError(name, `${name} must be a UUID`) }));
