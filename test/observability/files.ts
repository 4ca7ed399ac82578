// The observability files as the tests read them: paths from the repository root, YAML parsed
// by PyYAML (as test/helpers/compose-config.ts does: no YAML package among the dependencies), and
// promtool run on them with its whole output kept for the failure message.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { requireBinary } from '../../stack/binaries.js'

const run = promisify(execFile)

/** The repository root (this file runs from dist/test/observability/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const RULES = 'observability/prometheus/rules.yml'
export const RULES_TESTS = 'observability/prometheus/rules.test.yml'
export const PROMETHEUS_CONFIG = 'observability/prometheus/prometheus.yml'
export const DASHBOARD = 'observability/grafana/cachestack.json'

export interface RecordingRule { record: string, expr: string, labels?: Record<string, string> }
export interface AlertingRule { alert: string, expr: string, for?: string, labels?: Record<string, string>, annotations?: Record<string, string> }
export type Rule = RecordingRule | AlertingRule
export interface RulesFile { groups: Array<{ name: string, rules: Rule[] }> }

export interface RulesTestFile {
  rule_files: string[]
  tests: Array<{
    name?: string
    promql_expr_test?: Array<{ expr: string, eval_time: string, exp_samples?: Array<{ labels: string, value: number }> }>
    alert_rule_test?: Array<{ alertname: string, eval_time: string, exp_alerts?: Array<{ exp_labels?: Record<string, string> }> }>
  }>
}

export async function readYaml<T> (relativePath: string): Promise<T> {
  const script = 'import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding="utf-8")), sys.stdout)'
  const { stdout } = await run(requireBinary('python3'), ['-c', script, join(ROOT, relativePath)])
  return JSON.parse(stdout) as T
}

export function isAlert (rule: Rule): rule is AlertingRule {
  return 'alert' in rule
}

export async function readRules (): Promise<Rule[]> {
  const file = await readYaml<RulesFile>(RULES)
  return file.groups.flatMap((group) => group.rules)
}

/** Names of the recording rules in rules.yml: what panels and alerts may select besides metrics. */
export async function recordedNames (): Promise<Set<string>> {
  return new Set((await readRules()).flatMap((rule) => isAlert(rule) ? [] : [rule.record]))
}

/**
 * promtool from PATH. A missing promtool fails the test (it is no reason to skip checking the
 * rules); binaries.ts does not know its package, so the hint is given here.
 */
export function promtool (): string {
  try {
    return requireBinary('promtool')
  } catch (err) {
    throw new Error(`${(err as Error).message}. promtool comes with Debian's prometheus package: apt-get install -y prometheus ` +
      '(npm test installs it as root: scripts/ensure-system-packages.sh)')
  }
}

/** Runs promtool from the repository root: its exit code and everything it printed. */
export async function runPromtool (args: string[]): Promise<{ code: number, output: string }> {
  try {
    const { stdout, stderr } = await run(promtool(), args, { cwd: ROOT })
    return { code: 0, output: stdout + stderr }
  } catch (err) {
    const failed = err as Error & { code?: number | string, stdout?: string, stderr?: string }
    // A spawn failure has a string code (ENOENT) and no output: rethrow it as it is.
    if (typeof failed.code !== 'number') throw err
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}
