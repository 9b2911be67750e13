import { createServer, IncomingMessage, ServerResponse } from "node:http";

const port = Number(process.env.PORT) || 8080;

function greet(name: string): string {
  return `hello from ts-server, ${name}\n`;
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(greet(url.searchParams.get("name") ?? "world"));
});

server.listen(port, () => {
  console.log(`listening on ${port}`);
});
