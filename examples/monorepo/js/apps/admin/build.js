// The build step of admin: it needs a devDependency, which the image
// must not ship.
const fs = require("fs");
const isOdd = require("is-odd");

fs.mkdirSync(`${__dirname}/dist`, { recursive: true });
fs.writeFileSync(`${__dirname}/dist/built.txt`, `built-with=is-odd(3)=${isOdd(3)}`);
