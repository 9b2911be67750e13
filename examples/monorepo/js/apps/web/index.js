// web: a member of the pnpm workspace in js/. It needs the workspace's
// library and its dependency at run time, and none of its devDependencies.
const greet = require("@acme/greet");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
console.log(`${greet("web")} dev-dependencies=${dev}`);
