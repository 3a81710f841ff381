import { Header } from '@nestjs/common';

/**
 * For a handler that returns JSON it wrote itself (a string): Fastify sends a string as it is only
 * when the reply's type already says JSON; otherwise it would go out as text/plain.
 */
export const JsonText = () => Header('content-type', 'application/json; charset=utf-8');
