// other's build step needs a devDependency, which its image must not ship.
const fs = require("fs");
const leftPad = require("left-pad");

fs.mkdirSync(`${__dirname}/dist`, { recursive: true });
fs.writeFileSync(`${__dirname}/dist/built.txt`, `built-with=left-pad=${leftPad(7, 3, 0)}`);
