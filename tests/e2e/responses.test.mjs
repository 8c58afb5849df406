// The official `openai` npm client's Responses API (responses.create, plain and streaming)
// through Tollgate to an OpenAI deployment (tollgate-mock's /v1/responses), translated through
// chat to Anthropic and Bedrock deployments, and stored responses read and deleted only by the
// key that created them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = `${process.env.TOLLGATE_URL}/v1`;
const client = new OpenAI({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL, maxRetries: 0 });

test('responses.create returns a response with output_text and usage', async () => {
  const { data: response, response: raw } = await client.responses
    .create({ model: 'gpt-4o-mini', instructions: 'Be brief', input: 'Say hello' })
    .withResponse();
  assert.equal(response.object, 'response');
  assert.equal(response.status, 'completed');
  assert.match(response.id, /^resp_/);
  assert.match(response.output_text, /tollgate-mock/);
  assert.ok(response.usage.input_tokens > 0);
  assert.ok(response.usage.output_tokens > 0);
  assert.equal(raw.headers.get('x-litellm-model-group'), 'gpt-4o-mini');
  assert.ok(Number(raw.headers.get('x-litellm-response-cost')) > 0);
});

test('responses.create with stream: true yields the typed events in order', async () => {
  const stream = await client.responses.create({
    model: 'paced',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'Stream please' }] }],
    stream: true,
  });
  const types = [];
  let text = '';
  let completed = null;
  const arrivals = [];
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
      arrivals.push(Date.now());
    }
    if (event.type === 'response.completed') completed = event.response;
  }
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.equal(arrivals.length, 5);
  assert.ok(arrivals.at(-1) - arrivals[0] >= 150, 'paced deltas must not arrive in one burst');
  assert.ok(text.length > 0);
  assert.equal(completed.output[0].content[0].text, text);
  assert.ok(completed.usage.output_tokens > 0);
});

test('a hosted tool is refused with BadRequestError naming it', async () => {
  await assert.rejects(
    client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [{ type: 'web_search_preview' }] }),
    (err) => err instanceof OpenAI.BadRequestError && err.status === 400 && /web_search_preview/.test(err.message),
  );
});

for (const model of ['claude-3-5-sonnet', 'bedrock-claude']) {
  test(`responses.create through chat to a chat-only provider (${model})`, async () => {
    const response = await client.responses.create({ model, instructions: 'Be brief', input: 'Say hello' });
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.match(response.id, /^resp_/);
    assert.match(response.output_text, /tollgate-mock/);
    assert.ok(response.usage.input_tokens > 0);
    assert.ok(response.usage.output_tokens > 0);
  });

  test(`responses.create with stream: true through chat to a chat-only provider (${model})`, async () => {
    const stream = await client.responses.create({ model, input: 'Stream please', stream: true });
    const types = [];
    let text = '';
    let completed = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.equal(types[0], 'response.created');
    assert.ok(types.includes('response.output_item.added'));
    assert.ok(types.includes('response.output_text.done'));
    assert.equal(types.at(-1), 'response.completed');
    assert.match(text, /tollgate-mock/);
    assert.equal(completed.output[0].content[0].text, text);
    assert.ok(completed.usage.output_tokens > 0);
  });
}

test('a chat-only provider refuses previous_response_id with BadRequestError', async () => {
  const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'x' });
  await assert.rejects(
    client.responses.create({ model: 'claude-3-5-sonnet', input: 'y', previous_response_id: first.id }),
    (err) => err instanceof OpenAI.BadRequestError && /previous_response_id/.test(err.message),
  );
});

async function newKey() {
  const reply = await fetch(`${process.env.TOLLGATE_URL}/key/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.TOLLGATE_MASTER_KEY}`, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(reply.status, 200);
  return (await reply.json()).key;
}

test('responses.retrieve / inputItems.list / del reach only the key that created the response', async () => {
  const owner = new OpenAI({ apiKey: await newKey(), baseURL, maxRetries: 0 });
  const other = new OpenAI({ apiKey: await newKey(), baseURL, maxRetries: 0 });
  const created = await owner.responses.create({ model: 'gpt-4o-mini', input: 'keep this' });
  const read = await owner.responses.retrieve(created.id);
  assert.equal(read.id, created.id);
  const items = await owner.responses.inputItems.list(created.id);
  assert.ok(Array.isArray(items.data));
  await assert.rejects(other.responses.retrieve(created.id), (err) => err instanceof OpenAI.NotFoundError);
  await assert.rejects(other.responses.del(created.id), (err) => err instanceof OpenAI.NotFoundError);
  await assert.rejects(
    other.responses.create({ model: 'gpt-4o-mini', input: 'steal', previous_response_id: created.id }),
    (err) => err instanceof OpenAI.NotFoundError,
  );
  const chained = await owner.responses.create({ model: 'gpt-4o-mini', input: 'more', previous_response_id: created.id });
  assert.match(chained.id, /^resp_/);
  await owner.responses.del(created.id);
  await assert.rejects(owner.responses.retrieve(created.id), (err) => err instanceof OpenAI.NotFoundError);
});
