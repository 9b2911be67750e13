// The build step: needs a devDependency, which must not ship.
const isOdd = require("is-odd");
require("fs").writeFileSync("built.txt", `is-odd(3)=${isOdd(3)}\n`);
