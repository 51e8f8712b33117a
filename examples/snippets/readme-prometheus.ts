import { createServer } from 'node:http';
import { REST } from '@discordjs/rest';
import { MessageUpdateManager } from 'discord-update-manager';
import { PrometheusMetricsCollector } from 'discord-update-manager/prometheus'; // npm install prom-client

export function serveMetrics(rest: REST, port = 9464) {
  const metrics = new PrometheusMetricsCollector({ labels: { shard: '0' } }); // prefix: 'discord_update_manager_'
  const manager = new MessageUpdateManager({ rest, metrics });
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    void metrics.metrics().then((text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text));
  });
  server.listen(port);
  return { manager, metrics, server };
}
