// docker-compose.yml's `observability` profile as docker-compose reads it: Prometheus with the
// project's scrape config and rules, Grafana with its data source and the dashboard provisioned,
// and the exporters of nginx and Redis — every scrape target a service and port of the network,
// nothing internal published, and the default topology unchanged without the profile.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { renderNginxConfig, dockerNginxOptions } from '../../src/nginx/nginx-config.js'
import { composeConfig, publishedPorts, type ComposeService } from '../helpers/compose-config.js'
import { PROMETHEUS_CONFIG, readYaml, ROOT } from '../observability/files.js'

const OBSERVABILITY = ['prometheus', 'grafana', 'nginx-exporter', 'redis-exporter']

/** The host side of a bind mount (`./x:/y:ro` or the absolute path docker-compose v1 resolves it to). */
function bindMounts (service: ComposeService): Array<{ host: string, container: string }> {
  return (service.volumes ?? []).map((volume) => {
    const [host, container] = volume.split(':') as [string, string]
    return { host, container }
  }).filter(({ host }) => host.startsWith('/') || host.startsWith('.'))
}

test('docker-compose --profile observability config: Prometheus, Grafana and the two exporters, published on 127.0.0.1 only', async () => {
  const services = await composeConfig(['--profile', 'observability'])
  for (const name of OBSERVABILITY) assert.deepEqual(services[name]?.profiles, ['observability'], `${name} belongs to the observability profile`)
  assert.deepEqual(publishedPorts(services.prometheus!), [['127.0.0.1', 9090, 9090]])
  assert.deepEqual(publishedPorts(services.grafana!), [['127.0.0.1', 3001, 3000]])
  for (const name of ['nginx-exporter', 'redis-exporter']) assert.deepEqual(publishedPorts(services[name]!), [], `${name} is not published`)
  // nginx publishes only its public port; the status listener is exposed to the network.
  assert.deepEqual(publishedPorts(services.nginx!), [['127.0.0.1', 8080, 8080]])
  assert.ok(services.nginx!.expose?.map(String).includes('8081'))
})

test('every bind mount of the profile exists in the repository: the scrape config and rules, the provisioning, the dashboard', async () => {
  const services = await composeConfig(['--profile', 'observability'])
  const mounts = [...bindMounts(services.prometheus!), ...bindMounts(services.grafana!)]
  assert.ok(mounts.length >= 3, JSON.stringify(mounts))
  for (const { host } of mounts) assert.ok(existsSync(host.startsWith('/') ? host : join(ROOT, host)), `${host} exists`)
  const containers = mounts.map((m) => m.container)
  assert.ok(containers.includes('/etc/prometheus'))
  assert.ok(containers.includes('/etc/grafana/provisioning'))
  const dashboard = services.grafana!.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH
  assert.ok(dashboard !== undefined && containers.includes(dashboard), 'the home dashboard is the mounted one')
  const provider = await readYaml<{ providers: Array<{ options: { path: string } }> }>('observability/grafana/provisioning/dashboards/cachestack.yml')
  assert.equal(provider.providers[0]!.options.path, dashboard.replace(/\/[^/]+$/, ''), 'Grafana loads dashboards from where compose mounts it')
  const datasources = await readYaml<{ datasources: Array<{ type: string, url: string }> }>('observability/grafana/provisioning/datasources/prometheus.yml')
  assert.deepEqual(datasources.datasources.map((d) => [d.type, d.url]), [['prometheus', 'http://prometheus:9090']])
})

test('every job of prometheus.yml targets a service and a port of the compose network', async () => {
  const services = await composeConfig(['--profile', 'observability', '--profile', 'cluster'])
  type Job = { job_name: string, static_configs?: Array<{ targets: string[] }>, dns_sd_configs?: Array<{ names: string[], port: number }> }
  const config = await readYaml<{ scrape_configs: Job[] }>(PROMETHEUS_CONFIG)
  const targets = config.scrape_configs.flatMap((job) => [
    ...(job.static_configs ?? []).flatMap((c) => c.targets),
    ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((name) => `${name}:${c.port}`))
  ])
  assert.deepEqual(config.scrape_configs.map((job) => job.job_name).sort(), ['cachestack', 'cachestack-cluster', 'nginx', 'provider', 'redis'])
  for (const target of targets) {
    const [host, port] = target.split(':') as [string, string]
    assert.ok(services[host] !== undefined, `${target}: ${host} is a service`)
    assert.ok((services[host]!.expose ?? []).map(String).includes(port), `${target}: ${host} exposes ${port}`)
    assert.ok(!publishedPorts(services[host]!).some(([, , inner]) => String(inner) === port), `${target} is not published`)
  }
  // The nginx-exporter reads the status listener the image's nginx.conf really has.
  const scrape = services['nginx-exporter']!.command!.find((arg) => arg.startsWith('--nginx.scrape-uri='))!
  assert.equal(scrape, '--nginx.scrape-uri=http://nginx:8081/stub_status')
  assert.match(renderNginxConfig(dockerNginxOptions()), /listen 8081;\s+server_name _;\s+access_log off;\s+location = \/stub_status \{\s+stub_status;/)
})

test('without the profile none of it starts: the default topology is unchanged', async () => {
  const services = await composeConfig()
  for (const name of OBSERVABILITY) {
    // docker-compose v1 lists profiled services with their profiles; v2 leaves them out.
    assert.ok(services[name] === undefined || services[name]!.profiles?.includes('observability'), `${name} needs the profile`)
  }
})
