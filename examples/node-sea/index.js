// One executable made with Node's own single-executable-application
// support: it reports that it runs as one, what it bundled (a local
// module and a registry dependency), and whether a Node install is there.
const fs = require("fs");
const sea = require("node:sea");
const isNumber = require("is-number");
const greet = require("./lib/greet");

const node = ["/usr/local/bin/node", "/usr/bin/node"].some((p) => fs.existsSync(p)) ? "present" : "absent";
console.log(`${greet("node-sea")} sea=${sea.isSea()} is-number(7)=${isNumber(7)} node=${node}`);
