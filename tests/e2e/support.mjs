// Helpers the e2e tests share (not a test file: `run` runs *.test.mjs only).
import assert from 'node:assert/strict';

const gateway = process.env.TOLLGATE_URL;
const master = process.env.TOLLGATE_MASTER_KEY;
const mock = process.env.TOLLGATE_MOCK_URL;

// POST /key/generate as the master key; the new key.
export async function issueKey(body = {}) {
  const reply = await fetch(`${gateway}/key/generate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${master}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(reply.status, 200);
  return (await reply.json()).key;
}

// The last request tollgate-mock received: {method, path, headers, body}.
export async function lastUpstreamRequest() {
  const response = await fetch(`${mock}/_mock/last`);
  assert.equal(response.status, 200);
  return response.json();
}

// The key's spend log rows once there are at least `atLeastRows` (the writer is asynchronous);
// [] after 5 s.
export async function spendOf(key, atLeastRows) {
  for (let i = 0; i < 50; i++) {
    const reply = await fetch(`${gateway}/spend/logs?api_key=${encodeURIComponent(key)}`, {
      headers: { Authorization: `Bearer ${master}` },
    });
    const rows = await reply.json();
    if (Array.isArray(rows) && rows.length >= atLeastRows) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}
