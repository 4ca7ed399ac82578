// Container HEALTHCHECK without curl: exit 0 when the URL answers 2xx within 2 s.
// Usage: node docker/healthcheck.mjs [url]   (default: the app's /ready on $PORT)
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/ready`
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
  process.exit(response.ok ? 0 : 1)
} catch {
  process.exit(1)
}
