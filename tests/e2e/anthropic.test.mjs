// The official `@anthropic-ai/sdk` client against Tollgate's /v1/messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  apiKey: process.env.TOLLGATE_MASTER_KEY,
  baseURL: process.env.TOLLGATE_URL,
  maxRetries: 0,
});

for (const model of ['claude-3-5-sonnet', 'gpt-4o-mini']) {
  test(`messages.create on ${model}`, async () => {
    const message = await client.messages.create({
      model,
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].text.length > 0);
    assert.ok(message.usage.input_tokens > 0);
    assert.ok(message.usage.output_tokens > 0);
  });

  test(`messages.stream on ${model}`, async () => {
    const stream = client.messages.stream({
      model,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    let deltas = 0;
    stream.on('text', () => {
      deltas += 1;
    });
    const final = await stream.finalMessage();
    assert.ok(deltas > 0);
    assert.equal(final.content[0].type, 'text');
    assert.ok(final.content[0].text.length > 0);
    assert.ok(final.usage.output_tokens > 0);
  });
}

test('a wrong key is rejected', async () => {
  const bad = new Anthropic({ apiKey: 'sk-wrong-wrong', baseURL: process.env.TOLLGATE_URL, maxRetries: 0 });
  await assert.rejects(
    bad.messages.create({ model: 'claude-3-5-sonnet', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof Anthropic.AuthenticationError,
  );
});
