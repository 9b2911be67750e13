// admin: a member of the pnpm workspace in js/ with a build step. At run
// time it has what the step built, the workspace's library and its
// dependency; not its devDependencies, and not the other members.
const fs = require("fs");
const greet = require("@acme/greet");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
const built = fs.readFileSync(`${__dirname}/dist/built.txt`, "utf8");
const web = fs.existsSync(`${__dirname}/../web`) ? "present" : "absent";
console.log(`${greet("admin")} ${built} dev-dependencies=${dev} web=${web}`);
