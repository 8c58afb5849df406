// The `@anthropic-ai/sdk` client's messages.countTokens against Tollgate, counted by the Anthropic
// deployment (tollgate-mock answering as Anthropic, approx mode: prompt bytes / 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  apiKey: process.env.TOLLGATE_MASTER_KEY,
  baseURL: process.env.TOLLGATE_URL,
  maxRetries: 0,
});

test('messages.countTokens grows with the prompt', async () => {
  const count = (text) =>
    client.messages.countTokens({
      model: 'claude-3-5-sonnet',
      system: 'Be brief',
      messages: [{ role: 'user', content: text }],
    });
  const short = await count('hi');
  const longer = await count('hi' + 'a'.repeat(400));
  assert.ok(short.input_tokens > 0);
  assert.equal(longer.input_tokens, short.input_tokens + 100);
});

test('messages.countTokens is the Anthropic deployment\'s own count', async () => {
  const { data, response } = await client.messages
    .countTokens({ model: 'claude-3-5-sonnet', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  assert.equal(response.headers.get('x-tollgate-token-count'), 'provider');
  assert.ok(data.input_tokens > 0);
});

test('messages.countTokens for an unknown model raises NotFoundError', async () => {
  await assert.rejects(
    client.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof Anthropic.NotFoundError && err.status === 404,
  );
});
