// A local module: esbuild bundles it with the entry, since a single
// executable can require only Node's built-in modules at run time.
module.exports = (name) => `Hello from ${name}!`;
