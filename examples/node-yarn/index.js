// Prints what yarn installed: the production dependency, and whether the
// dev dependency reached the image (it must not).
const isNumber = require("is-number");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
console.log(`Hello from node-yarn! is-number=${isNumber(7)} dev-dependencies=${dev}`);
