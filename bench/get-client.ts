/**
 * The history bench's load client: keep-alive GETs over plain sockets, each socket reading into one
 * reusable buffer and framing answers by their content-length. Node's `http` client was the
 * bottleneck for the large reads (a 94 KB answer: its parser, streams and a Buffer per read kept the
 * client's own event loop 10–19 ms late), so it measured itself; see bench/RESULTS.md.
 */
import { connect } from 'node:net';
import { percentiles, type LatencyStats } from './support.js';

const READ_BUFFER_BYTES = 256 * 1024;

/** One kept-alive connection sending GETs one after another; resolves each with its time and status. */
class GetConnection {
  private readonly socket;
  private pending: { started: number; resolve: (answer: { ms: number; status: number }) => void } | null = null;
  private head = '';
  private status = 0;
  private remaining = -1;
  private failure: Error | null = null;

  private readonly host: string;
  private readonly port: number;
  private readonly headerLines: string;

  constructor(host: string, port: number, headerLines: string, ready: () => void, failed: (error: Error) => void) {
    this.host = host;
    this.port = port;
    this.headerLines = headerLines;
    this.socket = connect(
      {
        host,
        port,
        noDelay: true,
        onread: { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n, buffer) => this.received(n, buffer) },
      },
      ready,
    );
    this.socket.on('error', (error) => {
      this.failure = error;
      failed(error);
    });
    this.socket.on('close', () => {
      if (this.pending && !this.failure) failed(new Error(`the server closed a connection before answering GET`));
    });
  }

  get(path: string): Promise<{ ms: number; status: number }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.head = '';
      this.remaining = -1;
      this.pending = { started: performance.now(), resolve };
      this.socket.write(`GET ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n${this.headerLines}\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private received(bytes: number, buffer: Uint8Array): boolean {
    if (this.remaining < 0) {
      // latin1: one character per byte, so lengths below count bytes.
      this.head += Buffer.from(buffer.buffer, buffer.byteOffset, bytes).toString('latin1');
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return true;
      const head = this.head.slice(0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) return this.fail(`an answer without content-length (chunked answers are not framed here): ${head}`);
      this.status = Number(head.slice(9, 12));
      this.remaining = Number(length[1]) - (this.head.length - end - 4);
    } else {
      this.remaining -= bytes;
    }
    if (this.remaining < 0) return this.fail('more bytes than the answer’s content-length');
    if (this.remaining === 0 && this.pending) {
      const { started, resolve } = this.pending;
      this.pending = null;
      resolve({ ms: performance.now() - started, status: this.status });
    }
    return true;
  }

  private fail(message: string): false {
    this.socket.destroy(new Error(message));
    return false;
  }
}

/**
 * Sends `requests` GETs with `concurrency` in flight over kept-alive connections, timing each
 * response (from writing the request to its last byte) to a fraction of a millisecond.
 */
export async function measureGets(
  paths: () => string,
  base: string,
  headers: Record<string, string>,
  concurrency: number,
  requests: number,
): Promise<LatencyStats> {
  const { hostname, port } = new URL(base);
  const headerLines = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  let failed: (error: Error) => void = () => undefined;
  const broken = new Promise<never>((_, reject) => (failed = reject));
  broken.catch(() => undefined); // seen by the races below; a socket error after them is not a failure of this run
  const connections = await Promise.race([
    Promise.all(
      Array.from(
        { length: concurrency },
        () =>
          new Promise<GetConnection>((resolve) => {
            const connection: GetConnection = new GetConnection(hostname, Number(port), headerLines, () => resolve(connection), failed);
          }),
      ),
    ),
    broken,
  ]);
  const times: number[] = [];
  let errors = 0;
  let sent = 0;
  const began = performance.now();
  try {
    await Promise.race([
      Promise.all(
        connections.map(async (connection) => {
          while (sent < requests) {
            sent++;
            const { ms, status } = await connection.get(paths());
            times.push(ms);
            if (status >= 400) errors++;
          }
        }),
      ),
      broken,
    ]);
  } finally {
    for (const connection of connections) connection.close();
  }
  const elapsed = (performance.now() - began) / 1000;
  return { requests: times.length, errors, rps: times.length / elapsed, ...percentiles(times) };
}
