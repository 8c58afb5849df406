// /vertex_ai/* and /gemini/* pass-through with Google's and Anthropic's own clients pointed at
// Tollgate: `@google/genai` with a Tollgate key as its apiKey (sent as x-goog-api-key) at
// /gemini and, in Vertex express mode, at /vertex_ai; `@anthropic-ai/vertex-sdk` at
// /vertex_ai/v1 with the Tollgate key in x-litellm-api-key and its own Google token (a stand-in:
// the gateway drops it); and the `openai` client's embeddings on a vertex_ai/ embedding model. Upstream,
// tollgate-mock sees the deployment's credential and project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleGenAI } from '@google/genai';
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { issueKey, lastUpstreamRequest, spendOf } from './support.mjs';

const gateway = process.env.TOLLGATE_URL;

test('@google/genai with a Tollgate key as apiKey at /gemini: whole and streamed, charged', async () => {
  const key = await issueKey();
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${gateway}/gemini` } });
  const response = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello through Tollgate' });
  assert.ok(response.text.length > 0);
  assert.ok(response.usageMetadata.promptTokenCount > 0);
  const last = await lastUpstreamRequest();
  assert.match(last.path, /\/models\/gemini-2\.0-flash:generateContent$/);
  assert.ok(last.headers['x-goog-api-key'].startsWith('sk-e2e-provider-'), "the deployment's key goes up");
  assert.ok(!JSON.stringify(last).includes(key), 'the Tollgate key never goes upstream');

  let text = '';
  for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Stream' })) {
    text += chunk.text ?? '';
  }
  assert.ok(text.length > 0);
  const rows = await spendOf(key, 2);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.call_type, 'pass_through_endpoint');
    assert.ok(row.prompt_tokens > 0 && row.completion_tokens > 0);
    assert.ok(row.spend > 0, "charged at the deployment's model_info prices");
  }
});

test('@google/genai: a wrong key is 401, a key without the model 403', async () => {
  const wrong = new GoogleGenAI({ apiKey: 'sk-not-a-tollgate-key', httpOptions: { baseUrl: `${gateway}/gemini` } });
  await assert.rejects(wrong.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }), (e) =>
    String(e.status ?? e.message).includes('401'),
  );
  const limited = await issueKey({ models: ['gpt-4o-mini'] });
  const denied = new GoogleGenAI({ apiKey: limited, httpOptions: { baseUrl: `${gateway}/gemini` } });
  await assert.rejects(denied.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }), (e) =>
    String(e.status ?? e.message).includes('403'),
  );
});

test('@google/genai in Vertex express mode at /vertex_ai: the configured project and access token go up', async () => {
  const key = await issueKey();
  const ai = new GoogleGenAI({ vertexai: true, apiKey: key, httpOptions: { baseUrl: `${gateway}/vertex_ai` } });
  const response = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello Vertex' });
  assert.ok(response.text.length > 0);
  const last = await lastUpstreamRequest();
  assert.match(last.path, /^\/v1beta1\/projects\/e2e-project\/locations\/us-east5\/publishers\/google\/models\/gemini-2\.0-flash:generateContent$/);
  assert.match(last.headers.authorization, /^Bearer ya29\.mock-/);
  assert.equal(last.headers['x-goog-api-key'], undefined);
  assert.equal((await spendOf(key, 1)).length, 1);
});

test('@anthropic-ai/vertex-sdk at /vertex_ai/v1: rawPredict and streamRawPredict, charged', async () => {
  const key = await issueKey();
  const client = new AnthropicVertex({
    baseURL: `${gateway}/vertex_ai/v1`,
    region: 'us-central1',
    projectId: 'callers-own-project',
    // The SDK's Google credential: Tollgate drops it and sends its own service account's token.
    authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer callers-google-token' }) },
    defaultHeaders: { 'x-litellm-api-key': key },
    maxRetries: 0,
  });
  const message = await client.messages.create({
    model: 'claude-3-5-sonnet-v2@20241022',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello Claude on Vertex' }],
  });
  assert.equal(message.type, 'message');
  assert.ok(message.usage.output_tokens > 0);
  let last = await lastUpstreamRequest();
  assert.equal(
    last.path,
    '/v1/projects/e2e-project/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022:rawPredict',
  );
  assert.match(last.headers.authorization, /^Bearer ya29\.mock-/);
  assert.ok(!JSON.stringify(last).includes('callers-google-token'));

  const stream = client.messages.stream({
    model: 'claude-3-5-sonnet-v2@20241022',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Stream on Vertex' }],
  });
  const final = await stream.finalMessage();
  assert.ok(final.usage.output_tokens > 0);
  last = await lastUpstreamRequest();
  assert.match(last.path, /:streamRawPredict$/);
  const rows = await spendOf(key, 2);
  assert.equal(rows.length, 2);
  for (const row of rows) assert.ok(row.spend > 0, 'Claude on Vertex is priced (built-in table)');
});

test('openai embeddings.create on a vertex_ai/text-embedding-004 deployment (:predict), float and base64, charged', async () => {
  const OpenAI = (await import('openai')).default;
  const key = await issueKey();
  const openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
  const result = await openai.embeddings.create({
    model: 'vertex-embed',
    input: ['first text to embed', 'second'],
    dimensions: 16,
    encoding_format: 'float',
  });
  assert.equal(result.data.length, 2);
  assert.equal(result.data[0].embedding.length, 16);
  assert.ok(result.usage.prompt_tokens > 0);
  const last = await lastUpstreamRequest();
  assert.match(last.path, /\/projects\/e2e-project\/locations\/us-east5\/publishers\/google\/models\/text-embedding-004:predict$/);
  assert.match(last.headers.authorization, /^Bearer ya29\.mock-/);
  const rows = await spendOf(key, 1);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].call_type, 'aembedding');
  assert.ok(Math.abs(rows[0].spend - rows[0].prompt_tokens * 1e-6) < 1e-12);
  // The SDK's default (base64, decoded by the SDK): the same vector.
  const decoded = await openai.embeddings.create({ model: 'vertex-embed', input: 'second', dimensions: 16 });
  assert.equal(decoded.data[0].embedding.length, 16);
  for (let i = 0; i < 16; i++) {
    assert.ok(Math.abs(decoded.data[0].embedding[i] - result.data[1].embedding[i]) < 1e-6);
  }
});
