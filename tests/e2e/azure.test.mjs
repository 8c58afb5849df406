// Azure OpenAI through Tollgate. The `openai` client calls azure/ deployments (chat whole and
// streamed, embeddings) served by tollgate-mock's Azure routes, which accept only the
// deployment's key as `api-key` and need an `api-version` (tools/mock/README.md); and the
// package's `AzureOpenAI` client points at Tollgate itself (/openai/deployments/{model}/…, the
// Tollgate key as its apiKey), as it would at LiteLLM's proxy. The provider key never reaches
// the client nor the gateway's log; every call is charged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI, { AzureOpenAI } from 'openai';
import { issueKey, lastUpstreamRequest, spendOf, streamedChat } from './support.mjs';

const gateway = process.env.TOLLGATE_URL;
const master = process.env.TOLLGATE_MASTER_KEY;

function assertAzureCall(last, deployment, method) {
  assert.equal(last.path, `/openai/deployments/${deployment}/${method}?api-version=2024-10-21`);
  assert.ok(last.headers['api-key'].startsWith('sk-e2e-provider-'), "the deployment's key goes up as api-key");
  assert.equal(last.headers.authorization, undefined, 'no bearer goes up');
}

test('openai client: chat, streamed chat and embeddings on azure/ deployments, charged', async () => {
  const key = await issueKey();
  const openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });

  const completion = await openai.chat.completions.create({
    model: 'azure-gpt',
    messages: [{ role: 'user', content: 'hello azure' }],
  });
  assert.match(completion.choices[0].message.content, /tollgate-mock/);
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  const last = await lastUpstreamRequest();
  assertAzureCall(last, 'gpt-4o-deploy', 'chat/completions');
  assert.ok(!JSON.stringify(last).includes(key), 'the Tollgate key never goes upstream');

  const { text, usage } = await streamedChat(openai, 'azure-gpt', 'stream please');
  assert.match(text, /tollgate-mock/);
  assert.ok(usage && usage.completion_tokens > 0);
  assertAzureCall(await lastUpstreamRequest(), 'gpt-4o-deploy', 'chat/completions');

  const embedding = await openai.embeddings.create({ model: 'azure-embed', input: ['one', 'two'] });
  assert.equal(embedding.data.length, 2);
  assert.equal(embedding.data[0].embedding.length, 8);
  assertAzureCall(await lastUpstreamRequest(), 'embed-deploy', 'embeddings');

  const rows = await spendOf(key, 3);
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.ok(row.prompt_tokens > 0);
    assert.ok(row.spend > 0, "charged at the deployment's model_info prices");
  }
  assert.deepEqual(rows.map((r) => r.call_type).sort(), ['acompletion', 'acompletion', 'aembedding']);
});

test('openai client: a stream on an api-version without stream_options goes without it, charged', async () => {
  const key = await issueKey();
  const openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
  const { text } = await streamedChat(openai, 'azure-gpt-legacy', 'stream on 2024-02-01', { includeUsage: false });
  assert.match(text, /tollgate-mock/);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, '/openai/deployments/gpt-4o-deploy/chat/completions?api-version=2024-02-01');
  assert.equal(JSON.parse(last.body).stream_options, undefined, '2024-02-01 refuses stream_options');
  const rows = await spendOf(key, 1);
  assert.equal(rows.length, 1);
  assert.ok(rows[0].spend > 0, "charged from the gateway's own count");
});

test('openai client: a key Azure refuses is a 502 envelope naming neither key, nor is either key logged', async () => {
  const openai = new OpenAI({ apiKey: master, baseURL: `${gateway}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({ model: 'azure-wrong-key', messages: [{ role: 'user', content: 'hi' }] }),
    (error) => {
      assert.equal(error.status, 502);
      assert.match(error.error.message, /provider rejected the gateway's credentials for model group 'azure-wrong-key'/);
      assert.ok(error.error.type && 'param' in error.error && 'code' in error.error, 'an OpenAI error envelope');
      assert.ok(!JSON.stringify(error.error).includes('sk-e2e-'), 'no key in the error');
      return true;
    },
  );
  const refused = (await lastUpstreamRequest()).headers['api-key'];
  assert.ok(refused.startsWith('sk-e2e-wrong-'), 'the wrong key was sent, and refused');

  await openai.chat.completions.create({ model: 'azure-gpt', messages: [{ role: 'user', content: 'hi' }] });
  const accepted = (await lastUpstreamRequest()).headers['api-key'];
  const log = readFileSync(process.env.TOLLGATE_E2E_GATEWAY_LOG, 'utf8');
  assert.ok(log.length > 0, 'the gateway logged the calls');
  assert.ok(!log.includes(accepted), 'the provider key is not in the log');
  assert.ok(!log.includes(refused), 'the refused key is not in the log');
});

test('AzureOpenAI pointed at Tollgate: chat, streamed chat and embeddings by deployment, charged', async () => {
  const key = await issueKey({ models: ['azure-gpt', 'azure-embed'] });
  const azure = new AzureOpenAI({ apiKey: key, endpoint: gateway, apiVersion: '2024-10-21', maxRetries: 0 });

  const completion = await azure.chat.completions.create({
    model: 'azure-gpt',
    messages: [{ role: 'user', content: 'hello from AzureOpenAI' }],
  });
  assert.match(completion.choices[0].message.content, /tollgate-mock/);
  const last = await lastUpstreamRequest();
  assertAzureCall(last, 'gpt-4o-deploy', 'chat/completions');
  assert.ok(!JSON.stringify(last).includes(key), 'the Tollgate key never goes upstream');

  const { text } = await streamedChat(azure, 'azure-gpt', 'stream please', { includeUsage: false });
  assert.match(text, /tollgate-mock/);

  const embedding = await azure.embeddings.create({ model: 'azure-embed', input: 'hello' });
  assert.equal(embedding.data[0].embedding.length, 8);
  assertAzureCall(await lastUpstreamRequest(), 'embed-deploy', 'embeddings');

  // A client fixed to one deployment: that deployment is the model group called.
  const fixed = new AzureOpenAI({ apiKey: key, endpoint: gateway, apiVersion: '2024-10-21', deployment: 'azure-gpt', maxRetries: 0 });
  const pinned = await fixed.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'hi' }] });
  assert.match(pinned.choices[0].message.content, /tollgate-mock/);

  // Entra ID's way: the token provider's token goes as a bearer, which the gateway reads as the key.
  const entra = new AzureOpenAI({ azureADTokenProvider: async () => key, endpoint: gateway, apiVersion: '2024-10-21', maxRetries: 0 });
  const byBearer = await entra.chat.completions.create({ model: 'azure-gpt', messages: [{ role: 'user', content: 'hi' }] });
  assert.match(byBearer.choices[0].message.content, /tollgate-mock/);

  const rows = await spendOf(key, 5);
  assert.equal(rows.length, 5);
  for (const row of rows) assert.ok(row.spend > 0);
});

test('AzureOpenAI pointed at Tollgate: a wrong key is 401, a deployment the key may not call 403', async () => {
  const wrong = new AzureOpenAI({ apiKey: 'sk-not-a-tollgate-key', endpoint: gateway, apiVersion: '2024-10-21', maxRetries: 0 });
  await assert.rejects(wrong.chat.completions.create({ model: 'azure-gpt', messages: [{ role: 'user', content: 'hi' }] }), {
    status: 401,
  });
  const key = await issueKey({ models: ['azure-embed'] });
  const limited = new AzureOpenAI({ apiKey: key, endpoint: gateway, apiVersion: '2024-10-21', maxRetries: 0 });
  await assert.rejects(limited.chat.completions.create({ model: 'azure-gpt', messages: [{ role: 'user', content: 'hi' }] }), {
    status: 403,
    message: /not allowed to use the model 'azure-gpt'/,
  });
});
