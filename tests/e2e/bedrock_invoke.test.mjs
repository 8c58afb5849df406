// Bedrock InvokeModel through Tollgate, checked against independent implementations: the
// `openai` and `@anthropic-ai/sdk` clients call a bedrock/invoke/ Anthropic deployment (whole
// and streamed) and a Titan embedding deployment served by tollgate-mock; each request Tollgate
// signed is re-signed with @smithy/signature-v4 and must carry the same Authorization; the
// AWS SDK's InvokeModel and InvokeModelWithResponseStream commands talk to tollgate-mock, and
// its invoke-with-response-stream frames are decoded one by one with @smithy/eventstream-codec
// (both CRCs checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { toUtf8, fromUtf8 } from '@smithy/util-utf8';
import { assertSignedLikeTheAwsSdk } from './oracle/aws_resign.mjs';
import { streamedChat } from './support.mjs';

const MODEL = 'bedrock-invoke-claude';
const MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const TITAN = 'bedrock-titan';
const TITAN_ID = 'amazon.titan-embed-text-v2:0';
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

async function assertInvokeBody(last, method) {
  assert.equal(last.path, `/model/${encodeURIComponent(MODEL_ID)}/${method}`);
  const body = JSON.parse(last.body);
  assert.equal(body.anthropic_version, 'bedrock-2023-05-31');
  assert.equal(body.model, undefined);
  assert.equal(body.stream, undefined);
  await assertSignedLikeTheAwsSdk(last, { region: REGION, credentials });
  return body;
}

test('openai chat.completions.create on a bedrock/invoke/ deployment, signed as the AWS SDK signs', async () => {
  const completion = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello InvokeModel' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.ok(completion.choices[0].message.content.includes('tollgate-mock'));
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  const body = await assertInvokeBody(await lastUpstreamRequest(), 'invoke');
  assert.equal(body.system, 'Be brief.');
});

test('openai streaming from InvokeModelWithResponseStream, with usage', async () => {
  const { text, usage } = await streamedChat(openai, MODEL, 'Stream from InvokeModel');
  assert.equal(text, 'Hello from tollgate-mock! This is a canned reply from the fake upstream.');
  assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.equal(last.headers.accept, 'application/vnd.amazon.eventstream');
  await assertInvokeBody(last, 'invoke-with-response-stream');
});

test('anthropic messages.create and messages.stream on a bedrock/invoke/ deployment', async () => {
  const message = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.equal(message.type, 'message');
  assert.ok(message.content[0].text.includes('tollgate-mock'));
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
  assert.equal((await assertInvokeBody(await lastUpstreamRequest(), 'invoke')).max_tokens, 64);

  const stream = anthropic.messages.stream({
    model: MODEL,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  const final = await stream.finalMessage();
  assert.ok(final.id.startsWith('msg_bdrk_'));  // Bedrock's own message, passed through
  assert.equal(final.content[0].type, 'text');
  assert.equal(final.content[0].text, 'Hello from tollgate-mock! This is a canned reply from the fake upstream.');
  assert.equal(final.stop_reason, 'end_turn');
  assert.ok(final.usage.output_tokens > 0);
  await assertInvokeBody(await lastUpstreamRequest(), 'invoke-with-response-stream');
});

test('openai embeddings.create on a Titan deployment (the SDK asks for base64)', async () => {
  const result = await openai.embeddings.create({ model: TITAN, input: 'the quick brown fox' });
  assert.equal(result.data.length, 1);
  assert.equal(result.data[0].embedding.length, 8);
  assert.ok(result.data[0].embedding.every((v) => Number.isFinite(v) && v !== 0));
  assert.ok(result.usage.prompt_tokens > 0);
  const floats = await openai.embeddings.create({ model: TITAN, input: 'the quick brown fox', encoding_format: 'float' });
  assert.deepEqual(floats.data[0].embedding, result.data[0].embedding);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, `/model/${encodeURIComponent(TITAN_ID)}/invoke`);
  assert.deepEqual(JSON.parse(last.body), { inputText: 'the quick brown fox' });
  await assertSignedLikeTheAwsSdk(last, { region: REGION, credentials });
  await assert.rejects(openai.embeddings.create({ model: TITAN, input: ['a', 'b'] }), (e) => e.status === 400);
});

const anthropicBody = JSON.stringify({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 32,
  messages: [{ role: 'user', content: 'hi' }],
});

test('the AWS SDK itself accepts tollgate-mock as Bedrock InvokeModel (whole and streamed)', async () => {
  const client = new BedrockRuntimeClient({
    region: REGION,
    endpoint: process.env.TOLLGATE_MOCK_URL,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  const whole = await client.send(new InvokeModelCommand({
    modelId: MODEL_ID, contentType: 'application/json', accept: 'application/json', body: anthropicBody,
  }));
  const message = JSON.parse(toUtf8(whole.body));
  assert.equal(message.type, 'message');
  assert.ok(message.usage.input_tokens > 0);
  assert.equal((await lastUpstreamRequest()).path, `/model/${encodeURIComponent(MODEL_ID)}/invoke`);

  const streamed = await client.send(new InvokeModelWithResponseStreamCommand({
    modelId: MODEL_ID, contentType: 'application/json', body: anthropicBody,
  }));
  const types = [];
  let text = '';
  for await (const event of streamed.body) {
    const inner = JSON.parse(toUtf8(event.chunk.bytes));
    types.push(inner.type);
    if (inner.type === 'content_block_delta') text += inner.delta.text;
  }
  assert.equal(types[0], 'message_start');
  assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
  assert.equal(text, 'Hello from tollgate-mock! This is a canned reply from the fake upstream.');
  assert.equal((await lastUpstreamRequest()).path, `/model/${encodeURIComponent(MODEL_ID)}/invoke-with-response-stream`);
});

test("tollgate-mock's invoke-with-response-stream frames decode with @smithy/eventstream-codec, CRCs checked", async () => {
  const response = await fetch(
    `${process.env.TOLLGATE_MOCK_URL}/model/${encodeURIComponent(`${MODEL_ID}+chunks-4+exception-mid-stream`)}/invoke-with-response-stream`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/bedrock/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: anthropicBody,
    },
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/vnd.amazon.eventstream');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const messages = [];
  for (let at = 0; at < bytes.length;) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    messages.push(codec.decode(bytes.subarray(at, at + length)));  // throws on a CRC mismatch
    at += length;
  }
  const chunks = messages.filter((m) => m.headers[':message-type'].value === 'event');
  assert.ok(chunks.every((m) => m.headers[':event-type'].value === 'chunk'));
  const events = chunks.map((m) => JSON.parse(Buffer.from(JSON.parse(toUtf8(m.body)).bytes, 'base64').toString()));
  assert.equal(events[0].type, 'message_start');
  assert.equal(events.filter((e) => e.type === 'content_block_delta').length, 2);
  const last = messages[messages.length - 1];
  assert.equal(last.headers[':message-type'].value, 'exception');
  assert.equal(last.headers[':exception-type'].value, 'modelStreamErrorException');
  assert.match(JSON.parse(toUtf8(last.body)).message, /simulated model stream error/);

  // A bad signature shape is refused as Bedrock refuses it.
  const unsigned = await fetch(`${process.env.TOLLGATE_MOCK_URL}/model/${encodeURIComponent(MODEL_ID)}/invoke`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: anthropicBody,
  });
  assert.equal(unsigned.status, 403);
});
