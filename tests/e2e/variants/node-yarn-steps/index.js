// Prints what the build step wrote, and whether the devDependency it
// needed was pruned away by the offline production reinstall.
const fs = require("fs");
const isNumber = require("is-number");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
const built = fs.readFileSync("built.txt", "utf8").trim();
console.log(`built-with=${built} is-number=${isNumber(7)} dev-dependencies=${dev}`);
