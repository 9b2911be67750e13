// node-hello: bundled by pkg into one executable (seed 002).
const http = require("http");

if (process.argv.includes("--once")) {
  console.log("Hello from node-hello!");
  process.exit(0);
}

const port = Number(process.env.PORT || 3000);
http
  .createServer((_req, res) => res.end("Hello from node-hello!\n"))
  .listen(port, () => console.log(`listening on :${port}`));
