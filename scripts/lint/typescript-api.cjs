// ESLint's TypeScript parser (typescript-eslint, via neostandard) needs TypeScript's JavaScript
// API, which TypeScript 7 — the project's compiler, native code — no longer ships. For the lint
// process only, `require('typescript')` resolves to TypeScript 6 (the `typescript-api` alias in
// devDependencies); the build keeps compiling with TypeScript 7.
const Module = require('node:module')
const api = require.resolve('typescript-api')
const resolve = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === 'typescript' ? api : request, ...rest)
}
