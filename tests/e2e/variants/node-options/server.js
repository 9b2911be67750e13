// node-options: `serve` runs until stopped; `check` reports what the image
// promises (account, home, working directory, dependencies, nothing the
// .dockerignore excludes, no registry credentials), and that the
// production install ran the dependencies' install scripts (native-dep's)
// but not the package's own `prepare` (husky, a devDependency).
const fs = require("fs");
const os = require("os");
const path = require("path");
const isNumber = require("is-number");
const nativeDep = require("native-dep");

if (process.argv[2] === "check") {
  const info = os.userInfo();
  fs.writeFileSync(path.join(os.homedir(), "probe"), "x");
  const leaked = ["packages/a/node_modules", ".env", "packages/a/.env", "packages/a/.npmrc"].filter((p) => fs.existsSync(p));
  // runtime.writable: a new directory, and one the app tree already has.
  for (const dir of ["logs", "uploads"]) fs.writeFileSync(path.join(dir, "probe"), "x");
  console.log(
    `check ok: user=${info.username} home=${os.homedir()} cwd=${process.cwd()} ` +
      `is-number=${isNumber(5)} native-dep=${nativeDep} leaked=${leaked.length ? leaked.join(",") : "none"} writable=logs,uploads`,
  );
} else {
  console.log("node-options serving");
  setInterval(() => {}, 1 << 30);
}
