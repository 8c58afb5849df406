// Vertex AI through Tollgate: the `openai` and `@anthropic-ai/sdk` clients call vertex_ai/
// deployments served by tollgate-mock (publishers/google generateContent and
// publishers/anthropic rawPredict, whole and streamed). The gateway trades its service-account
// key for an OAuth2 token at the key's token_uri (tollgate-mock's) and sends it as a bearer
// token; the client's key never goes upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { streamedChat } from './support.mjs';

const openai = new OpenAI({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: `${process.env.TOLLGATE_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: process.env.TOLLGATE_URL, maxRetries: 0 });
const PREFIX = '/v1/projects/e2e-project/locations/us-east5/publishers';

async function lastUpstreamRequest() {
  const response = await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`);
  assert.equal(response.status, 200);
  return response.json();
}

function assertBearer(last) {
  assert.match(last.headers.authorization, /^Bearer ya29\.mock-\d+$/);
  assert.ok(!last.headers.authorization.includes(process.env.TOLLGATE_MASTER_KEY));
}

test('openai chat.completions.create and streaming reach Vertex AI Gemini with a bearer token', async () => {
  const completion = await openai.chat.completions.create({
    model: 'vertex-gemini',
    messages: [{ role: 'user', content: 'hello vertex' }],
  });
  assert.match(completion.choices[0].message.content, /tollgate-mock/);
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  let last = await lastUpstreamRequest();
  assert.equal(last.path, `${PREFIX}/google/models/gemini-2.0-flash:generateContent`);
  assertBearer(last);
  assert.deepEqual(JSON.parse(last.body).contents, [{ role: 'user', parts: [{ text: 'hello vertex' }] }]);

  const { text, usage } = await streamedChat(openai, 'vertex-gemini', 'stream please');
  assert.match(text, /tollgate-mock/);
  assert.ok(usage && usage.completion_tokens > 0);
  last = await lastUpstreamRequest();
  assert.equal(last.path, `${PREFIX}/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse`);
  assertBearer(last);
});

test('anthropic messages.create and messages.stream reach Claude on Vertex AI (rawPredict)', async () => {
  const message = await anthropic.messages.create({
    model: 'vertex-claude',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi claude' }],
  });
  assert.equal(message.type, 'message');
  assert.match(message.content[0].text, /tollgate-mock/);
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
  let last = await lastUpstreamRequest();
  assert.equal(last.path, `${PREFIX}/anthropic/models/claude-3-5-sonnet-v2@20241022:rawPredict`);
  assertBearer(last);
  const sent = JSON.parse(last.body);
  assert.equal(sent.anthropic_version, 'vertex-2023-10-16');
  assert.equal(sent.model, undefined);
  assert.equal(sent.max_tokens, 64);

  const stream = anthropic.messages.stream({ model: 'vertex-claude', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  const final = await stream.finalMessage();
  assert.match(final.content[0].text, /tollgate-mock/);
  assert.ok(final.usage.output_tokens > 0);
  last = await lastUpstreamRequest();
  assert.equal(last.path, `${PREFIX}/anthropic/models/claude-3-5-sonnet-v2@20241022:streamRawPredict`);
});

test('openai chat against Claude on Vertex AI is translated to Anthropic with the Vertex envelope', async () => {
  const completion = await openai.chat.completions.create({
    model: 'vertex-claude',
    messages: [{ role: 'user', content: 'translate me' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.choices[0].message.content, /tollgate-mock/);
  const sent = JSON.parse((await lastUpstreamRequest()).body);
  assert.equal(sent.anthropic_version, 'vertex-2023-10-16');
  assert.equal(sent.model, undefined);
  assert.deepEqual(sent.messages, [{ role: 'user', content: [{ type: 'text', text: 'translate me' }] }]);
});
