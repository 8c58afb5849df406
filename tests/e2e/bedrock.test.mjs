// Bedrock through Tollgate, checked against the AWS SDK for JavaScript as an independent
// implementation: the `openai` and `@anthropic-ai/sdk` clients call a bedrock/ deployment
// served by tollgate-mock's Bedrock emulation; the request Tollgate signed is re-signed with
// @smithy/signature-v4 (the SDK's signer) and must carry the same Authorization; and
// @aws-sdk/client-bedrock-runtime itself talks to tollgate-mock (its event stream frames pass
// the SDK's CRC-checking decoder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { assertSignedLikeTheAwsSdk as assertSignedLikeTheAwsSdkOracle } from './oracle/aws_resign.mjs';
import { streamedChat } from './support.mjs';

const MODEL = 'bedrock-claude';
const MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';
const REGION = 'us-west-2';
const credentials = {
  accessKeyId: process.env.AWS_E2E_KEY_ID,
  secretAccessKey: process.env.AWS_E2E_SECRET,
};
const openai = new OpenAI({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: `${process.env.TOLLGATE_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: process.env.TOLLGATE_MASTER_KEY, baseURL: process.env.TOLLGATE_URL, maxRetries: 0 });

async function lastUpstreamRequest() {
  const response = await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`);
  assert.equal(response.status, 200);
  return response.json();
}

async function assertSignedLikeTheAwsSdk(last) {
  await assertSignedLikeTheAwsSdkOracle(last, { region: REGION, credentials });
}

test('openai chat.completions.create on a Bedrock deployment, signed as the AWS SDK signs', async () => {
  const completion = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello Bedrock' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.ok(completion.choices[0].message.content.length > 0);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, `/model/${encodeURIComponent(MODEL_ID)}/converse`);
  assert.deepEqual(JSON.parse(last.body).system, [{ text: 'Be brief.' }]);
  await assertSignedLikeTheAwsSdk(last);
});

test('openai streaming from Bedrock ConverseStream, with usage', async () => {
  const { text, usage } = await streamedChat(openai, MODEL, 'Stream from Bedrock');
  assert.ok(text.includes('tollgate-mock'));
  assert.ok(usage && usage.completion_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, `/model/${encodeURIComponent(MODEL_ID)}/converse-stream`);
  assert.equal(last.headers.accept, 'application/vnd.amazon.eventstream');
  await assertSignedLikeTheAwsSdk(last);
});

test('anthropic messages.stream on a Bedrock deployment', async () => {
  const stream = anthropic.messages.stream({
    model: MODEL,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  const final = await stream.finalMessage();
  assert.equal(final.content[0].type, 'text');
  assert.ok(final.content[0].text.length > 0);
  assert.equal(final.stop_reason, 'end_turn');
  assert.ok(final.usage.output_tokens > 0);
});

test('the AWS SDK itself accepts tollgate-mock as Bedrock (Converse and the ConverseStream frames)', async () => {
  // HTTP/1.1, as Tollgate calls Bedrock (the client's default handler for this service is HTTP/2).
  const client = new BedrockRuntimeClient({
    region: REGION,
    endpoint: process.env.TOLLGATE_MOCK_URL,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  const whole = await client.send(new ConverseCommand({
    modelId: MODEL_ID,
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  }));
  assert.equal(whole.stopReason, 'end_turn');
  assert.ok(whole.output.message.content[0].text.length > 0);
  assert.ok(whole.usage.inputTokens > 0);
  // The SDK's path for the model id is Tollgate's: the same encoding of ':'.
  assert.equal((await lastUpstreamRequest()).path, `/model/${encodeURIComponent(MODEL_ID)}/converse`);

  const streamed = await client.send(new ConverseStreamCommand({
    modelId: MODEL_ID,
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  }));
  const kinds = [];
  let text = '';
  for await (const event of streamed.stream) {
    const kind = Object.keys(event)[0];
    kinds.push(kind);
    if (kind === 'contentBlockDelta') text += event.contentBlockDelta.delta.text;
  }
  assert.equal(kinds[0], 'messageStart');
  assert.deepEqual(kinds.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
  assert.ok(text.includes('tollgate-mock'));
});
