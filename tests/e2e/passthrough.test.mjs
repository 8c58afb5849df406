// Pass-through routes with the real clients pointed at them: `openai` at /openai/v1,
// `@anthropic-ai/sdk` at /anthropic, and the AWS SDK's BedrockRuntimeClient at /bedrock
// (its own signature is dropped; Tollgate re-signs with the deployment's credentials, checked
// by re-signing with the AWS SDK's signer). The gateway's provider key reaches tollgate-mock,
// never the caller's credential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { assertSignedLikeTheAwsSdk } from './oracle/aws_resign.mjs';

const master = process.env.TOLLGATE_MASTER_KEY;
const openai = new OpenAI({ apiKey: master, baseURL: `${process.env.TOLLGATE_URL}/openai/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: master, baseURL: `${process.env.TOLLGATE_URL}/anthropic`, maxRetries: 0 });

async function lastUpstreamRequest() {
  const response = await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`);
  assert.equal(response.status, 200);
  return response.json();
}

function assertProviderKey(value) {
  assert.ok(value.includes('sk-e2e-provider-'), 'the deployment key is injected');
  assert.ok(!value.includes(master), 'the Tollgate key never goes upstream');
}

test('openai chat.completions through /openai/v1, plain and streamed with usage', async () => {
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hello pass-through' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.ok(completion.choices[0].message.content.length > 0);
  let last = await lastUpstreamRequest();
  assert.equal(last.path, '/v1/chat/completions');
  assertProviderKey(last.headers.authorization);

  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: 'Stream through' }],
  });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.ok(text.length > 0);
  assert.ok(usage && usage.completion_tokens > 0, 'the gateway asked for the usage chunk');
  last = await lastUpstreamRequest();
  assert.equal(JSON.parse(last.body).stream_options.include_usage, true);
});

test('anthropic messages through /anthropic, plain and streamed', async () => {
  const message = await anthropic.messages.create({
    model: 'claude-3-5-sonnet-20241022',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.equal(message.type, 'message');
  assert.ok(message.usage.output_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, '/v1/messages');
  assertProviderKey(last.headers['x-api-key']);

  const final = await anthropic.messages
    .stream({ model: 'claude-3-5-sonnet-20241022', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
    .finalMessage();
  assert.ok(final.content[0].text.length > 0);
  assert.ok(final.usage.output_tokens > 0);
});

test('the AWS SDK through /bedrock: re-signed with the deployment credentials', async () => {
  const client = new BedrockRuntimeClient({
    region: 'us-west-2',
    endpoint: `${process.env.TOLLGATE_URL}/bedrock`,
    credentials: { accessKeyId: 'AKIDCALLERSOWN', secretAccessKey: 'the-callers-own-secret' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  // The SDK's Authorization is its own AWS signature: the Tollgate key goes in x-litellm-api-key.
  client.middlewareStack.add(
    (next) => async (args) => {
      args.request.headers['x-litellm-api-key'] = master;
      return next(args);
    },
    { step: 'build' },
  );
  const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
  const answer = await client.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  assert.ok(answer.output.message.content[0].text.length > 0);
  assert.ok(answer.usage.inputTokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, `/model/${encodeURIComponent(modelId)}/converse`);
  assert.ok(!last.headers.authorization.includes('AKIDCALLERSOWN'));
  await assertSignedLikeTheAwsSdk(last, {
    region: 'us-west-2',
    credentials: { accessKeyId: process.env.AWS_E2E_KEY_ID, secretAccessKey: process.env.AWS_E2E_SECRET },
  });
});
