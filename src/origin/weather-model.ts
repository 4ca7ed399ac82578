// Deterministic weather: the same city and time bucket always give the same observation, so
// tests and load tests can compare answers across layers, workers and runs.

export interface Observation {
  readonly temperatureC: number
  readonly feelsLikeC: number
  readonly humidityPct: number
  readonly pressureHpa: number
  readonly windKph: number
  readonly windDirectionDeg: number
  readonly conditions: string
  /** Start of the time bucket this observation belongs to (ISO 8601). */
  readonly observedAt: string
}

const CONDITIONS = ['clear', 'partly cloudy', 'cloudy', 'overcast', 'mist', 'light rain', 'rain', 'thunderstorm', 'snow'] as const

// mulberry32: tiny, fast, well-distributed; plenty for simulated weather.
function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10

export function observe (city: { id: number, lat: number }, bucketStart: number): Observation {
  const rand = mulberry32(Math.imul(city.id, 2654435761) ^ Math.floor(bucketStart / 1000))
  const date = new Date(bucketStart)
  const dayOfYear = (date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000
  // Warm at the equator, cold at the poles, seasons opposite across the equator.
  const season = Math.cos(2 * Math.PI * (dayOfYear - 196) / 365) * Math.sign(city.lat || 1)
  const base = 28 - 0.45 * Math.abs(city.lat) + season * Math.min(Math.abs(city.lat), 50) * 0.3
  const temperatureC = round1(base + (rand() - 0.5) * 8)
  const humidityPct = Math.round(35 + rand() * 60)
  const windKph = round1(rand() * 45)
  const conditionIndex = Math.floor(rand() * (temperatureC < 1 ? CONDITIONS.length : CONDITIONS.length - 1))
  return {
    temperatureC,
    feelsLikeC: round1(temperatureC - windKph * 0.08 + (humidityPct - 50) * 0.03),
    humidityPct,
    pressureHpa: Math.round(990 + rand() * 45),
    windKph,
    windDirectionDeg: Math.floor(rand() * 360),
    conditions: CONDITIONS[conditionIndex]!,
    observedAt: date.toISOString()
  }
}
