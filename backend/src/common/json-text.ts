import { Header } from '@nestjs/common';

/**
 * For a handler that returns JSON it wrote itself (a string, or its UTF-8 bytes): Fastify sends
 * either as it is, with the reply's type, which would otherwise be text/plain or octet-stream.
 */
export const JsonText = () => Header('content-type', 'application/json; charset=utf-8');
