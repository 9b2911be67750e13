exports.greeting = (name) => `Hello from ${name}!`;
