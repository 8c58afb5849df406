// Re-signs a request tollgate-mock received with the AWS SDK's own signer (@smithy/signature-v4)
// and compares the result with what Tollgate sent: an independent check of Tollgate's SigV4.
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

// "20261130T140432Z" → Date
function amzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  assert.ok(m, `x-amz-date ${text}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

// `last`: tollgate-mock's /_mock/last; `credentials`: {accessKeyId, secretAccessKey}.
export async function assertSignedLikeTheAwsSdk(last, { region, credentials }) {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(last.headers.authorization)[1].split(';');
  const headers = {};
  for (const name of signedHeaders) {
    if (!['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].includes(name)) headers[name] = last.headers[name];
  }
  const signer = new SignatureV4({ service: 'bedrock', region, sha256: Sha256, credentials });
  const [hostname, port] = last.headers.host.split(':');
  const signed = await signer.sign(
    { method: last.method, protocol: 'http:', hostname, port: port ? Number(port) : undefined, path: last.path, headers, body: last.body },
    { signingDate: amzDate(last.headers['x-amz-date']) },
  );
  assert.equal(last.headers.authorization, signed.headers.authorization);
  assert.equal(last.headers['x-amz-content-sha256'], signed.headers['x-amz-content-sha256']);
}
