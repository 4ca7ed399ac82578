// neostandard (Fastify's style: standard, for TypeScript too) with a line-length limit.
// `npm run lint` runs it after the type check; CI runs `npm run lint`.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: [
      'dist/**', 'node_modules/**',
      'loadtest-results/**', 'profile-results/**', 'ladder-results/**', 'faults-results/**', 'soak-results/**', 'policies-results/**'
    ]
  }),
  {
    rules: {
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
      // `void promise` marks a promise deliberately not awaited (its errors are handled inside).
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
