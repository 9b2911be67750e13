// hello: a member of the npm workspace in npm/; its dependency is
// installed (hoisted) at the workspace root.
const isNumber = require("is-number");

console.log(`Hello from hello, built in an npm workspace! is-number(1)=${isNumber(1)}`);
