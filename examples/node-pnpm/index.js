// Prints what pnpm installed: the production dependency (with the patch in
// patches/ applied), and whether the dev dependency reached the image (it
// must not).
const isNumber = require("is-number");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
const patched = isNumber.patched ? "patched" : "unpatched";
console.log(`Hello from node-pnpm! is-number=${isNumber(7)} ${patched} dev-dependencies=${dev}`);
