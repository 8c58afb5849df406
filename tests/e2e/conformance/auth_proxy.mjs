// Forwards every request to TARGET with `Authorization: Bearer $KEY` added: the MCP
// conformance suite cannot send a key of its own. Prints the port it listens on.
import http from 'node:http';

const target = new URL(process.env.TARGET);
const key = process.env.KEY;
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${key}`, host: target.host };
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
