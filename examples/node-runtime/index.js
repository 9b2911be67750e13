// node-runtime: runs on node:<v>-alpine with production dependencies only.
const http = require("http");
const { greeting } = require("./lib/greeting");

if (process.argv.includes("--once")) {
  console.log(greeting("node-runtime"));
  process.exit(0);
}

const port = Number(process.env.PORT || 3000);
http
  .createServer((_req, res) => res.end(greeting("node-runtime") + "\n"))
  .listen(port, () => console.log(`listening on :${port}`));
