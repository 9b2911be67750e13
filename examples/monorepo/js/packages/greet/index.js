// A library of the pnpm workspace, with a dependency of its own.
const isNumber = require("is-number");

module.exports = (name) =>
  `Hello from ${name}, built in a pnpm workspace! is-number(1)=${isNumber(1)}`;
