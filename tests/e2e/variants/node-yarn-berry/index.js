// Prints what the build step wrote, whether yarn applied the patch in
// .yarn/patches, and whether the devDependency, yarn's cache and install
// state, or its credentials file reached the image.
const fs = require("fs");
const isNumber = require("is-number");

let dev = "absent";
try {
  require.resolve("is-odd");
  dev = "present";
} catch {}
const built = fs.readFileSync("built.txt", "utf8").trim();
const patched = isNumber.patched ? "patched" : "unpatched";
const shipped = [".yarnrc.yml", ".yarn/cache", ".yarn/install-state.gz"].filter((f) => fs.existsSync(f));
console.log(
  `built-with=${built} is-number=${isNumber(7)} ${patched} dev-dependencies=${dev} yarn-files=${shipped.join(",") || "none"}`,
);
