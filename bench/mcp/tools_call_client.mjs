// Closed-loop tools/call load against one MCP endpoint (Streamable HTTP): initialize once per
// connection, then `echo` calls back to back on keep-alive connections. Prints JSON with the
// request rate and latency percentiles (ms). Lean on purpose (node:http, no SDK): the client's
// own cost should not hide the gateway's.
//   node tools_call_client.mjs --url URL --tool NAME [--key KEY] [--connections N] [--seconds S]
import http from 'node:http';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = new URL(args.url);
const tool = args.tool;
const connections = Number(args.connections ?? 1);
const seconds = Number(args.seconds ?? 5);
const warmup = Number(args.warmup ?? 1);

function post(agent, body, session) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  };
  if (args.key) headers.authorization = `Bearer ${args.key}`;
  if (session) headers['mcp-session-id'] = session;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode, session: res.headers['mcp-session-id'], body: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// One MCP session for every connection (as one client with parallel calls): the upstream does
// the same per-session work whether it is called directly or through the gateway.
async function open_session() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const init = await post(agent, {
    jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  });
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.body.slice(0, 200)}`);
  await post(agent, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.session);
  agent.destroy();
  return init.session;
}

async function worker(session, deadline, warmupUntil, latencies, errors) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let id = 1; Date.now() < deadline; ++id) {
    const started = process.hrtime.bigint();
    const reply = await post(agent, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: { message: 'bench' } } }, session);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (reply.status !== 200 || !reply.body.includes('Echo: bench')) {
      errors.push(`${reply.status} ${reply.body.slice(0, 160)}`);
      continue;
    }
    if (Date.now() >= warmupUntil) latencies.push(ms);
  }
  agent.destroy();
}

const start = Date.now();
const warmupUntil = start + warmup * 1000;
const deadline = warmupUntil + seconds * 1000;
const latencies = [];
const errors = [];
const session = await open_session();
await Promise.all(Array.from({ length: connections }, () => worker(session, deadline, warmupUntil, latencies, errors)));
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(JSON.stringify({
  url: url.href, tool, connections, seconds, calls: latencies.length, errors: errors.length,
  first_error: errors[0],
  rps: +(latencies.length / seconds).toFixed(1),
  p50_ms: +pct(50).toFixed(3), p90_ms: +pct(90).toFixed(3), p99_ms: +pct(99).toFixed(3),
}));
