// Writes the AWS-side answers the C++ unit tests compare Tollgate's SigV4 signer and event
// stream codec with (tests/unit/providers/fixtures/aws_oracle_vectors.json), computed by the
// AWS SDK for JavaScript itself: @smithy/signature-v4 (what @aws-sdk/client-bedrock-runtime
// signs with) and @smithy/eventstream-codec (what it decodes ConverseStream with).
//   node tests/e2e/oracle/aws_vectors.mjs > tests/unit/providers/fixtures/aws_oracle_vectors.json
import { SignatureV4 } from "@smithy/signature-v4";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { Sha256 } from "@aws-crypto/sha256-js";
import { toUtf8, fromUtf8 } from "@smithy/util-utf8";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

// The requests Tollgate sends to Bedrock: the path as sent (model id percent-encoded once).
const requests = [
  {
    name: "converse, long-term credentials",
    host: "bedrock-runtime.us-east-1.amazonaws.com",
    path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    region: "us-east-1",
    accept: "application/json",
    body: '{"messages":[{"role":"user","content":[{"text":"hello"}]}],"inferenceConfig":{"maxTokens":64}}',
    date: "2015-08-30T12:36:00Z",
  },
  {
    name: "converse-stream, session token, port in host",
    host: "127.0.0.1:8443",
    path: "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream",
    region: "eu-west-3",
    accept: "application/vnd.amazon.eventstream",
    sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/+token=",
    body: '{"messages":[{"role":"user","content":[{"text":"caf\u00e9 \u2615"}]}],"system":[{"text":"be brief"}]}',
    date: "2026-11-30T23:59:59Z",
  },
];

const signatures = [];
for (const r of requests) {
  const signer = new SignatureV4({
    service: "bedrock",
    region: r.region,
    sha256: Sha256,
    credentials: { ...credentials, sessionToken: r.sessionToken },
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: r.host.split(":")[0],
      port: r.host.includes(":") ? Number(r.host.split(":")[1]) : undefined,
      path: r.path,
      headers: { host: r.host, "content-type": "application/json", accept: r.accept },
      body: r.body,
    },
    { signingDate: new Date(r.date) },
  );
  signatures.push({ ...r, authorization: signed.headers.authorization, amz_date: signed.headers["x-amz-date"] });
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value) => ({ type: "string", value });
const messages = [
  {
    name: "contentBlockDelta",
    headers: { ":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event" },
    payload: '{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcd"}',
  },
  {
    name: "metadata",
    headers: { ":event-type": "metadata", ":content-type": "application/json", ":message-type": "event" },
    payload: '{"usage":{"inputTokens":12,"outputTokens":3,"totalTokens":15},"metrics":{"latencyMs":101}}',
  },
  {
    name: "throttlingException",
    headers: { ":exception-type": "throttlingException", ":content-type": "application/json", ":message-type": "exception" },
    payload: '{"message":"Too many requests, please wait before trying again."}',
  },
  {
    name: "non-string headers are skipped",
    headers: { ":event-type": "messageStart", ":message-type": "event" },
    extra: { flag: { type: "boolean", value: true }, n: { type: "integer", value: 7 }, id: { type: "uuid", value: "12345678-1234-1234-1234-123456789012" } },
    payload: '{"role":"assistant"}',
  },
];
const frames = messages.map((m) => {
  const headers = {};
  for (const [k, v] of Object.entries(m.headers)) headers[k] = str(v);
  Object.assign(headers, m.extra ?? {});
  const bytes = codec.encode({ headers, body: fromUtf8(m.payload) });
  // Round trip through the SDK's decoder: it checks both CRCs.
  const decoded = codec.decode(bytes);
  if (toUtf8(decoded.body) !== m.payload) throw new Error("codec round trip failed");
  return {
    name: m.name,
    string_headers: m.headers,
    only_string_headers: !m.extra,
    payload: m.payload,
    hex: Buffer.from(bytes).toString("hex"),
  };
});

process.stdout.write(JSON.stringify({ generated_by: "tests/e2e/oracle/aws_vectors.mjs", signatures, frames }, null, 2) + "\n");
