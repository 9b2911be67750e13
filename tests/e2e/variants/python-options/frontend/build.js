// The assets' build: needs its devDependency, so the install must run.
const fs = require("fs");
const isNumber = require("is-number");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.html", `<p>built with is-number=${isNumber(7)}</p>\n`);
