// The official `openai` npm client against Tollgate: what users' scripts actually do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = `${process.env.TOLLGATE_URL}/v1`;
const client = new OpenAI({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL, maxRetries: 0 });

test('chat completion', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(typeof completion.choices[0].message.content, 'string');
  assert.ok(completion.usage.total_tokens > 0);
});

test('chat completion with response headers', async () => {
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
    .withResponse();
  assert.equal(response.headers.get('x-litellm-model-group'), 'gpt-4o-mini');
  assert.ok(response.headers.get('x-request-id'));
});

test('streamed chat completion arrives in chunks with usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'paced',
    messages: [{ role: 'user', content: 'Stream please' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let chunks = 0;
  let usage = null;
  const arrivals = [];
  for await (const chunk of stream) {
    chunks += 1;
    arrivals.push(Date.now());
    if (chunk.choices.length > 0) text += chunk.choices[0].delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(chunks >= 5, `got ${chunks} chunks`);
  assert.ok(text.length > 0);
  assert.ok(usage && usage.total_tokens > 0);
  assert.ok(arrivals.at(-1) - arrivals[0] >= 150, 'paced chunks must not arrive in one burst');
});

test('embeddings', async () => {
  const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
  assert.equal(result.data.length, 2);
  assert.equal(result.data[0].embedding.length, 8);
});

test('models list and retrieve', async () => {
  const models = [];
  for await (const model of client.models.list()) models.push(model.id);
  assert.ok(models.includes('gpt-4o-mini'));
  const one = await client.models.retrieve('gpt-4o-mini');
  assert.equal(one.id, 'gpt-4o-mini');
});

test('a wrong key raises AuthenticationError', async () => {
  const bad = new OpenAI({ apiKey: 'sk-not-a-real-key', baseURL, maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.AuthenticationError && err.status === 401,
  );
});

test('an unknown model raises NotFoundError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.NotFoundError && err.status === 404,
  );
});

test('a bad request raises BadRequestError with a message', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    (err) => err instanceof OpenAI.BadRequestError && /messages/.test(err.message),
  );
});

test('an upstream 429 raises RateLimitError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'always-429', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.RateLimitError && err.status === 429,
  );
});
