// The assets' build, run by explicit `build.assets` steps (package.json
// has no build script): the page says which Node made it.
const fs = require("fs");
fs.writeFileSync("public/index.html", `<p>built by build.assets steps with node ${process.versions.node.split(".")[0]}</p>\n`);
