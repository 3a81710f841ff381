import { socketDirFor } from './embedded-postgres.js';

describe('socketDirFor', () => {
  it('puts the socket in the data folder', () => {
    expect(socketDirFor('/var/lib/switchboard', 5433)).toBe('/var/lib/switchboard/pg-socket');
  });

  it('falls back to TCP when the socket path would not fit a socket address (107 bytes)', () => {
    // '/pg-socket/.s.PGSQL.5433' is 24 bytes: a 83-byte folder fits, an 84-byte one does not.
    expect(socketDirFor(`/${'a'.repeat(82)}`, 5433)).toBe(`/${'a'.repeat(82)}/pg-socket`);
    expect(socketDirFor(`/${'a'.repeat(83)}`, 5433)).toBeUndefined();
  });

  it('falls back to TCP for a folder PostgreSQL would read as a list (comma or quote)', () => {
    expect(socketDirFor('/srv/a,b', 5433)).toBeUndefined();
    expect(socketDirFor('/srv/"data"', 5433)).toBeUndefined();
  });
});
