// What the install script made, or "not built" when it did not run.
const fs = require("fs");
const built = require("path").join(__dirname, "built.txt");
module.exports = fs.existsSync(built) ? fs.readFileSync(built, "utf8") : "not built";
