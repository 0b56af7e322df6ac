// The tutorial's "Live Posts" backend (Tutorial 14, posts/index.mjs), unchanged but for one thing:
// the database comes from ./db.mjs (PGlite by default, pg when DATABASE_URL is set). It is a
// Lambda-style handler: (event) -> { statusCode, headers, body }; server.mjs adapts HTTP to it.
// (And the first-request setup is shared by concurrent requests instead of running twice, and
// retried by the next request when it failed.)
import pulse from 'openkbs-pulse/server';
import { openDatabase } from './db.mjs';

/** Makes a handler with its own database connection (the tutorial keeps one per Lambda instance). */
export function createHandler(db = openDatabase()) {
    let connected;

    async function handler(event) {
        connected ??= (async () => {
            await db.connect();
            await db.query(`
                CREATE TABLE IF NOT EXISTS posts (
                    id SERIAL PRIMARY KEY,
                    user_name TEXT,
                    content TEXT,
                    created_at TIMESTAMP DEFAULT NOW()
                )
            `);
        })().catch((error) => {
            // A failed setup (database down, wrong DATABASE_URL) is not kept: the next request
            // tries again instead of failing forever.
            connected = undefined;
            throw error;
        });
        await connected;

        const headers = {
            'Content-Type': 'application/json',
            'Access-Control-Allow-Origin': '*',
            'Access-Control-Allow-Headers': 'Content-Type'
        };

        if (event.requestContext?.http?.method === 'OPTIONS') {
            return { statusCode: 200, headers, body: '' };
        }

        const { action, ...data } = JSON.parse(event.body || '{}');
        const kbId = process.env.OPENKBS_KB_ID;
        const apiKey = process.env.OPENKBS_API_KEY;

        switch (action) {
            case 'getPulseToken': {
                const tokenData = await pulse.getToken(kbId, apiKey, data.userId);
                return {
                    statusCode: 200,
                    headers,
                    body: JSON.stringify({ ...tokenData, kbId })
                };
            }

            case 'list': {
                const { rows } = await db.query(
                    'SELECT * FROM posts ORDER BY created_at DESC LIMIT 50'
                );
                return { statusCode: 200, headers, body: JSON.stringify({ posts: rows }) };
            }

            case 'create': {
                const result = await db.query(
                    'INSERT INTO posts (user_name, content) VALUES ($1, $2) RETURNING *',
                    [data.userName, data.content]
                );
                const post = result.rows[0];

                // Broadcast to all subscribers
                await pulse.publish('posts', 'new_post', { post }, { kbId, apiKey });

                return { statusCode: 200, headers, body: JSON.stringify({ post }) };
            }

            case 'presence': {
                const result = await pulse.presence('posts', { kbId, apiKey });
                return { statusCode: 200, headers, body: JSON.stringify(result) };
            }

            default:
                return { statusCode: 400, headers, body: JSON.stringify({ error: 'Unknown action' }) };
        }
    }

    handler.close = async () => {
        if (connected) await connected.then(() => db.end(), () => undefined);
    };
    return handler;
}
