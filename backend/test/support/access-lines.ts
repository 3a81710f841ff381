/** An access line as the app writes it (pino-http's, or a direct route's in the same shape). */
export interface AccessLine {
  level: number;
  msg: string;
  req: { id: string; method: string; path: string };
  res: { statusCode: number };
}

/** The access lines among `logs` for one request id. */
export const accessLinesOf = (logs: readonly string[], requestId: string): AccessLine[] =>
  logs
    .filter((line) => line.includes(requestId))
    .map((line) => JSON.parse(line) as AccessLine)
    .filter((line) => line.msg === 'request completed');
