// other: a member of the npm workspace with a build step. At run time it
// has what the step built and its dependency; not its devDependencies, and
// not the other members.
const fs = require("fs");
const isOdd = require("is-odd");

let dev = "absent";
try {
  require.resolve("left-pad");
  dev = "present";
} catch {}
const built = fs.readFileSync(`${__dirname}/dist/built.txt`, "utf8");
const hello = fs.existsSync(`${__dirname}/../hello`) ? "present" : "absent";
console.log(`Hello from other, built in an npm workspace! is-odd(3)=${isOdd(3)} ${built} dev-dependencies=${dev} hello=${hello}`);
