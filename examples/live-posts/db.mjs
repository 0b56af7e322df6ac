// The database behind the Live Posts handler: a real Postgres server through `pg` when
// DATABASE_URL is set, otherwise PGlite (Postgres compiled to WASM, running in this process), so
// the tutorial's SQL runs unchanged with nothing to install. Both expose the part of pg.Client the
// handler uses: connect(), query(text, params) -> { rows }, end().
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

/**
 * @param {{ databaseUrl?: string, dataDir?: string }} [options] defaults: DATABASE_URL, PGLITE_DATA_DIR
 *   (PGlite keeps its data in memory unless a data directory is given).
 */
export function openDatabase(options = {}) {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (databaseUrl) {
    // A pg.Client connects once: a new one per connect(), so a failed connection can be retried.
    let client;
    return {
      kind: 'pg',
      async connect() {
        await client?.end().catch(() => undefined);
        client = undefined;
        const next = new pg.Client({ connectionString: databaseUrl });
        await next.connect();
        client = next;
      },
      query(text, params) {
        if (!client) throw new Error('connect() first');
        return client.query(text, params);
      },
      async end() {
        await client?.end();
        client = undefined;
      },
    };
  }
  const dataDir = options.dataDir ?? process.env.PGLITE_DATA_DIR;
  let lite;
  return {
    kind: 'pglite',
    async connect() {
      await lite?.close().catch(() => undefined);
      lite = dataDir ? new PGlite(dataDir) : new PGlite();
      await lite.waitReady;
    },
    query(text, params) {
      if (!lite) throw new Error('connect() first');
      return lite.query(text, params);
    },
    async end() {
      await lite?.close();
      lite = undefined;
    },
  };
}
