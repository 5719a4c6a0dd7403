// Which Service is the Pulltrace server: the one the chart labels as the server component, in
// the namespace asked for or (by default) in any namespace. Pure, over the listed Services.

/** The labels the chart puts on the server's Service (charts/pulltrace/templates/_helpers.tpl). */
export const SERVER_SERVICE_SELECTOR = 'app.kubernetes.io/part-of=pulltrace,app.kubernetes.io/component=server';

export interface ServiceLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { ports?: Array<{ name?: string; port?: number }> };
}

export interface ServerService {
  namespace: string;
  name: string;
  /** the port as the service proxy path names it: the chart's port name `http`, else the number */
  port: string;
}

export type FindResult = { ok: true; service: ServerService } | { ok: false; message: string };

export function pickServerService(services: readonly ServiceLike[], namespace: string | undefined): FindResult {
  const found = services
    .filter((s) => s.metadata?.name && s.metadata.namespace && (!namespace || s.metadata.namespace === namespace))
    .map((s) => ({ namespace: s.metadata?.namespace as string, name: s.metadata?.name as string, port: proxyPort(s) }));
  const where = namespace ? `in namespace "${namespace}"` : 'in any namespace';
  if (found.length === 0) {
    return {
      ok: false,
      message: `no Pulltrace server Service (labels ${SERVER_SERVICE_SELECTOR}) ${where}; is the chart installed? (--pulltrace-namespace, --service)`,
    };
  }
  if (found.length > 1) {
    const names = found.map((s) => `${s.namespace}/${s.name}`).join(', ');
    return {
      ok: false,
      message: `more than one Pulltrace server Service ${where} (${names}); choose one with --pulltrace-namespace or --service`,
    };
  }
  return { ok: true, service: found[0] as ServerService };
}

function proxyPort(service: ServiceLike): string {
  const ports = service.spec?.ports ?? [];
  const http = ports.find((p) => p.name === 'http');
  if (http) return 'http';
  const first = ports[0];
  return first?.name || (first?.port ? String(first.port) : 'http');
}

/** The API server's service proxy path for a Service port. */
export function serviceProxyPath(service: ServerService): string {
  return `/api/v1/namespaces/${encodeURIComponent(service.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(service.port)}/proxy`;
}
