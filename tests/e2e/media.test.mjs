// The official `openai` npm client's media calls through Tollgate to tollgate-mock:
// images.generate, audio.speech.create, audio.transcriptions.create (a generated WAV, sent as
// multipart by the client) and moderations.create, each priced per unit by the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';

const client = new OpenAI({
  apiKey: process.env.TOLLGATE_MASTER_KEY,
  baseURL: `${process.env.TOLLGATE_URL}/v1`,
  maxRetries: 0,
});

// A canonical 16 kHz mono 16-bit PCM WAV of `seconds`.
function wav(seconds) {
  const samples = Math.round(seconds * 16000);
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(16000, 24);
  buffer.writeUInt32LE(32000, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buffer.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), 44 + i * 2);
  return buffer;
}

async function lastUpstreamRequest() {
  return (await fetch(`${process.env.TOLLGATE_MOCK_URL}/_mock/last`)).json();
}

test('images.generate returns n images, charged per image', async () => {
  const { data: images, response } = await client.images
    .generate({ model: 'dall-e-3', prompt: 'a lighthouse at dusk', n: 2, size: '1024x1024', quality: 'standard' })
    .withResponse();
  assert.equal(images.data.length, 2);
  assert.match(images.data[0].url, /^https:\/\/mock\.invalid\//);
  assert.equal(Number(response.headers.get('x-litellm-response-cost')), 0.08);  // 2 × dall-e-3's $0.04
});

test('images.generate is charged the price of its size and quality; a size dall-e-3 lacks is a 400', async () => {
  const { response } = await client.images
    .generate({ model: 'dall-e-3', prompt: 'a lighthouse at dusk', size: '1792x1024', quality: 'hd' })
    .withResponse();
  assert.equal(Number(response.headers.get('x-litellm-response-cost')), 0.12);  // dall-e-3 hd 1792x1024
  await assert.rejects(
    client.images.generate({ model: 'dall-e-3', prompt: 'x', size: '512x512' }),
    (err) => err instanceof OpenAI.BadRequestError && err.status === 400 && err.param === 'size',
  );
});

test('audio.speech.create returns the audio bytes, charged per character', async () => {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from Tollgate' });
  assert.equal(response.headers.get('content-type'), 'audio/mpeg');
  const audio = Buffer.from(await response.arrayBuffer());
  assert.equal(audio.subarray(0, 3).toString(), 'ID3');
  // 19 characters at tts-1's $15 per million.
  assert.ok(Math.abs(Number(response.headers.get('x-litellm-response-cost')) - 19 * 15e-6) < 1e-12);
});

test('audio.transcriptions.create uploads a WAV as multipart and is charged per second', async () => {
  const { data: transcription, response } = await client.audio.transcriptions
    .create({ model: 'whisper-1', file: await toFile(wav(1.5), 'hello.wav', { type: 'audio/wav' }) })
    .withResponse();
  assert.equal(transcription.text, 'tollgate mock transcription');
  // The mock bills whole seconds (2) from the WAV header, at whisper-1's $0.006 a minute.
  assert.ok(Math.abs(Number(response.headers.get('x-litellm-response-cost')) - 2 * 0.0001) < 1e-12);
  const last = await lastUpstreamRequest();
  assert.equal(last.path, '/v1/audio/transcriptions');
  assert.match(last.headers['content-type'], /^multipart\/form-data; boundary=/);
});

test('moderations.create answers the provider result and costs nothing', async () => {
  const { data: moderation, response } = await client.moderations
    .create({ model: 'omni-moderation-latest', input: 'please flag-me' })
    .withResponse();
  assert.equal(moderation.results[0].flagged, true);
  assert.equal(Number(response.headers.get('x-litellm-response-cost')), 0);
});

test('a media call to a chat-only provider is a BadRequestError', async () => {
  await assert.rejects(
    client.images.generate({ model: 'claude-3-5-sonnet', prompt: 'x' }),
    (err) => err instanceof OpenAI.BadRequestError && /only OpenAI-wire deployments/.test(err.message),
  );
});

test('images.generate with gpt-image-1 is charged from the usage tokens it reports', async () => {
  const { data: images, response } = await client.images
    .generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'medium' })
    .withResponse();
  assert.equal(images.data.length, 1);
  assert.equal(images.usage.output_tokens, 1056);
  const { input_tokens: input, output_tokens: output } = images.usage;
  // gpt-image-1's text input at $5 and image output at $40 per million tokens.
  const expected = input * 5e-6 + output * 40e-6;
  assert.ok(Math.abs(Number(response.headers.get('x-litellm-response-cost')) - expected) < 1e-12);
});

test('an end user over its budget is refused on images.generate (429 budget_exceeded)', async () => {
  const endUser = `e2e-media-${Date.now()}`;
  const created = await fetch(`${process.env.TOLLGATE_URL}/customer/new`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.TOLLGATE_MASTER_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: endUser, max_budget: 0.05 }),
  });
  assert.equal(created.status, 200);
  // $0.04 of $0.05 (standard: without a quality, dall-e-3 is priced at hd, $0.08)
  await client.images.generate({ model: 'dall-e-3', prompt: 'x', quality: 'standard', user: endUser });
  await assert.rejects(
    client.images.generate({ model: 'dall-e-3', prompt: 'x', quality: 'standard', user: endUser }),
    (err) => err instanceof OpenAI.RateLimitError && err.status === 429 && /End User=/.test(err.message),
  );
});
