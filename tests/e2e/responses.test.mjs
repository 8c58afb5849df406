// The official `openai` npm client's Responses API (responses.create, plain and streaming)
// through Tollgate to an OpenAI deployment (tollgate-mock's /v1/responses).
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

test('a chat-only provider refuses the Responses API with BadRequestError', async () => {
  await assert.rejects(
    client.responses.create({ model: 'claude-3-5-sonnet', input: 'x' }),
    (err) => err instanceof OpenAI.BadRequestError && /does not support the responses API/.test(err.message),
  );
});
