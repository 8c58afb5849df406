// The official MCP TypeScript SDK client through Tollgate's /mcp to real
// @modelcontextprotocol/server-everything upstreams (Streamable HTTP, legacy SSE, stdio), plus
// one upstream that is down. Started by tests/e2e/run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const gateway = process.env.TOLLGATE_URL;
const master = process.env.TOLLGATE_MASTER_KEY;
const open = [];

async function connect(key, path = '/mcp', header = 'Authorization') {
  const value = header === 'Authorization' ? `Bearer ${key}` : key;
  const transport = new StreamableHTTPClientTransport(new URL(`${gateway}${path}`), {
    requestInit: { headers: { [header]: value } },
  });
  const client = new Client({ name: 'tollgate-e2e', version: '1.0.0' });
  await client.connect(transport);
  open.push({ client, transport });
  return { client, transport };
}

after(async () => {
  for (const { client } of open) await client.close().catch(() => {});
});

function text(result) {
  return result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');
}

test('initialize: the gateway answers as an MCP server with a session', async () => {
  const { client, transport } = await connect(master);
  assert.equal(client.getServerVersion().name, 'tollgate');
  assert.ok(client.getServerCapabilities().tools);
  assert.match(transport.sessionId, /^[0-9a-f]{32}$/);
  await client.ping();
});

test('tools/list: three upstreams over three transports, prefixed with their server', async () => {
  const { client } = await connect(master);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const server of ['everything', 'legacy', 'local']) {
    for (const tool of ['echo', 'get-sum', 'trigger-long-running-operation']) {
      assert.ok(names.includes(`${server}-${tool}`), `${server}-${tool} in ${names.join(',')}`);
    }
  }
  assert.ok(!names.some((n) => n.startsWith('down-')));
  const echo = tools.find((t) => t.name === 'everything-echo');
  assert.equal(echo.inputSchema.type, 'object');
  assert.ok(echo.description.length > 0);
});

test('tools/call: echo and get-sum through each transport', async () => {
  const { client } = await connect(master);
  for (const server of ['everything', 'legacy', 'local']) {
    const echoed = await client.callTool({ name: `${server}-echo`, arguments: { message: `hi ${server}` } });
    assert.equal(text(echoed), `Echo: hi ${server}`);
    const sum = await client.callTool({ name: `${server}-get-sum`, arguments: { a: 2, b: 40 } });
    assert.match(text(sum), /42/);
  }
});

test('tools/call: progress notifications are relayed (Streamable HTTP and SSE upstreams)', async () => {
  const { client } = await connect(master);
  for (const server of ['everything', 'legacy', 'local']) {
    const progress = [];
    const result = await client.callTool(
      { name: `${server}-trigger-long-running-operation`, arguments: { duration: 1, steps: 4 } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    assert.match(text(result), /Long running operation completed/);
    assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4], `${server}: ${JSON.stringify(progress)}`);
    assert.ok(progress.every((p) => p.total === 4));
  }
});

test('concurrent calls with progress on one shared SSE upstream stay apart', async () => {
  const a = await connect(master);
  const b = await connect(master);
  const seen = { a: [], b: [] };
  const call = (who, c) =>
    c.client.callTool(
      { name: 'legacy-trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
      undefined,
      { onprogress: (p) => seen[who].push(p.progress) },
    );
  await Promise.all([call('a', a), call('b', b)]);
  assert.deepEqual(seen.a, [1, 2, 3]);
  assert.deepEqual(seen.b, [1, 2, 3]);
});

test('errors: unknown tool, invalid arguments, upstream down', async () => {
  const { client } = await connect(master);
  await assert.rejects(client.callTool({ name: 'nowhere-echo', arguments: {} }), (e) => e.code === -32602);
  await assert.rejects(client.callTool({ name: 'everything-no-such-tool', arguments: {} }), (e) => e.code === -32602);
  // The upstream's own validation failure comes back as it sent it (a tool error).
  const invalid = await client.callTool({ name: 'everything-get-sum', arguments: { a: 'x' } }).catch((e) => e);
  assert.ok(invalid.isError === true || invalid.code === -32602, JSON.stringify(invalid));
  const started = Date.now();
  await assert.rejects(client.callTool({ name: 'down-echo', arguments: { message: 'x' } }), (e) => e.code === -32000);
  assert.ok(Date.now() - started < 3000);
  // Still serving.
  assert.equal(text(await client.callTool({ name: 'everything-echo', arguments: { message: 'ok' } })), 'Echo: ok');
});

test('/mcp/{server}: one server, its tools only', async () => {
  const { client } = await connect(master, '/mcp/legacy');
  const { tools } = await client.listTools();
  assert.ok(tools.length > 0);
  assert.ok(tools.every((t) => t.name.startsWith('legacy-')));
  assert.equal(text(await client.callTool({ name: 'legacy-echo', arguments: { message: 'scoped' } })), 'Echo: scoped');
});

test('x-litellm-api-key authenticates too; a wrong key is refused', async () => {
  const { client } = await connect(master, '/mcp', 'x-litellm-api-key');
  assert.ok((await client.listTools()).tools.length > 0);
  await assert.rejects(connect('sk-wrong'), /401/);
});

test('a key without MCP permission sees no tools and may call none', async () => {
  const reply = await fetch(`${gateway}/key/generate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${master}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const { key } = await reply.json();
  const { client } = await connect(key);
  assert.deepEqual((await client.listTools()).tools, []);
  await assert.rejects(client.callTool({ name: 'everything-echo', arguments: { message: 'x' } }), (e) => e.code === -32602);
});

test('a key granted one server and one tool sees and calls exactly that', async () => {
  const reply = await fetch(`${gateway}/key/generate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${master}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      object_permission: { mcp_servers: ['legacy'], mcp_tool_permissions: { legacy: ['echo'] } },
    }),
  });
  const { key } = await reply.json();
  const { client } = await connect(key);
  assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['legacy-echo']);
  assert.equal(text(await client.callTool({ name: 'legacy-echo', arguments: { message: 'mine' } })), 'Echo: mine');
  await assert.rejects(client.callTool({ name: 'legacy-get-sum', arguments: { a: 1, b: 2 } }), (e) => e.code === -32003);
  await assert.rejects(client.callTool({ name: 'everything-echo', arguments: { message: 'x' } }), (e) => e.code === -32602);
});

test('DELETE ends the session', async () => {
  const { transport } = await connect(master);
  const id = transport.sessionId;
  await transport.terminateSession();
  const reply = await fetch(`${gateway}/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${master}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': id,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(reply.status, 404);
});
