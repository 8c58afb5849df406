// Cohere's own npm client (cohere-ai) calling rerank through Tollgate to tollgate-mock speaking
// Cohere's wire: the gateway's key authenticates, the deployment's key goes upstream, the call
// is priced per search unit, and a key without the model is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClient, CohereError } from 'cohere-ai';

const gateway = process.env.TOLLGATE_URL;
const master = process.env.TOLLGATE_MASTER_KEY;
const client = (token) => new CohereClient({ token, baseUrl: gateway });

async function lastUpstreamRequest() {
  return (await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`)).json();
}

test('rerank: ranked results, the deployment credential upstream, charged per search unit', async () => {
  const { data, rawResponse } = await client(master)
    .rerank({
      model: 'rerank-english-v3.0',
      query: 'capital of France',
      documents: ['Paris', 'Berlin', 'Rome'],
      topN: 2,
    })
    .withRawResponse();
  assert.equal(data.results.length, 2);
  assert.ok(data.results[0].relevanceScore >= data.results[1].relevanceScore);
  assert.equal(Number(rawResponse.headers.get('x-litellm-response-cost')), 0.002);
  const sent = await lastUpstreamRequest();
  assert.equal(sent.path, '/v1/rerank');
  assert.equal(JSON.parse(sent.body).model, 'rerank-english-v3.0');
  assert.equal(JSON.parse(sent.body).top_n, 2);
  assert.ok(!JSON.stringify(sent.headers).includes(master), 'the gateway key never goes upstream');
});

test('rerank: a key without the model is refused with 403', async () => {
  const created = await fetch(`${gateway}/key/generate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${master}`, 'content-type': 'application/json' },
    body: JSON.stringify({ models: ['gpt-4o-mini'] }),
  });
  assert.equal(created.status, 200);
  const { key } = await created.json();
  await assert.rejects(
    client(key).rerank({ model: 'rerank-english-v3.0', query: 'q', documents: ['a'] }),
    (err) => err instanceof CohereError && err.statusCode === 403,
  );
});
