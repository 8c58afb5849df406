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

// A streamed chat completion through the `openai` client: the text of its deltas and the usage
// of its last chunk (null with `{ includeUsage: false }`, which sends no stream_options).
export async function streamedChat(client, model, content, { includeUsage = true } = {}) {
  const stream = await client.chat.completions.create({
    model,
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    messages: [{ role: 'user', content }],
  });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return { text, usage };
}
