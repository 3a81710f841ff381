import { Param, ParseUUIDPipe } from '@nestjs/common';
import { fieldError } from './domain-error.js';

/** The check behind IdParam: anything but a UUID is a 422 naming the parameter. */
export const uuidPipe = (name: string) => new ParseUUIDPipe({ exceptionFactory: () => fieldError(name, `${name} must be a UUID`) });

/** A UUID path parameter; anything else is a 422 naming the parameter. */
export const IdParam = (name = 'id') => Param(name, uuidPipe(name));
