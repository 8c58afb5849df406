// Gemini through Tollgate: the `openai` and `@anthropic-ai/sdk` clients call a gemini/
// deployment served by tollgate-mock's Gemini emulation (generateContent and the SSE stream of
// streamGenerateContent), whole and streamed; the upstream request carries the deployment's
// key as x-goog-api-key, never the client's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const MODEL = 'gemini-flash';
const openai = new OpenAI({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: `${process.env.TOLLGATE_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: process.env.TOLLGATE_URL, maxRetries: 0 });

async function lastUpstreamRequest() {
  const response = await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`);
  assert.equal(response.status, 200);
  return response.json();
}

test('openai chat.completions.create reaches Gemini generateContent and comes back as chat', async () => {
  const completion = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello gemini' }],
  });
  assert.match(completion.choices[0].message.content, /tollgate-mock/);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, '/v1beta/models/gemini-2.0-flash:generateContent');
  assert.ok(last.headers['x-goog-api-key'].startsWith('sk-e2e-provider-'));
  assert.notEqual(last.headers['x-goog-api-key'], process.env.TOLLGATE_MASTER_KEY);
  const sent = JSON.parse(last.body);
  assert.deepEqual(sent.systemInstruction, { parts: [{ text: 'be brief' }] });
  assert.deepEqual(sent.contents, [{ role: 'user', parts: [{ text: 'hello gemini' }] }]);
});

test('openai streaming from Gemini: text, finish reason and usage', async () => {
  const stream = await openai.chat.completions.create({
    model: MODEL,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'stream please' }],
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (!chunk.choices.length) continue;
    text += chunk.choices[0].delta.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.match(text, /tollgate-mock/);
  assert.equal(finish, 'stop');
  assert.ok(usage && usage.completion_tokens > 0);
  assert.equal((await lastUpstreamRequest()).path, '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
});

test('anthropic messages.create and messages.stream against Gemini', async () => {
  const message = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(message.type, 'message');
  assert.equal(message.stop_reason, 'end_turn');
  assert.match(message.content[0].text, /tollgate-mock/);
  assert.ok(message.usage.output_tokens > 0);
  assert.equal(JSON.parse((await lastUpstreamRequest()).body).generationConfig.maxOutputTokens, 64);

  const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  const final = await stream.finalMessage();
  assert.match(final.content[0].text, /tollgate-mock/);
  assert.ok(final.usage.output_tokens > 0);
});
