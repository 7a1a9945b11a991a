// The app's route table, read from the built app. buildApp registers its routes before a test could
// add an onRoute hook, so the table is parsed from printRoutes() and every entry is confirmed with
// hasRoute(); the OpenAPI document is a second, independent source checked against it.
import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface RouteEntry {
  method: HTTPMethods;
  url: string;
}

export const routeKey = (r: RouteEntry): string => `${r.method} ${r.url}`;

/** Every (method, url) the app answers, HEAD routes included. */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const lines = app.printRoutes().split('\n');
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of lines) {
    const m = /^([│ ]*)([├└]── )(.*)$/u.exec(line);
    if (!m) continue;
    const depth = ((m[1] ?? '').length + 4) / 4 - 1;
    const rest = m[3] ?? '';
    const methodsAt = rest.lastIndexOf(' (');
    const segment = methodsAt >= 0 && rest.endsWith(')') ? rest.slice(0, methodsAt) : rest;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + segment;
    stack[depth] = url;
    if (methodsAt < 0 || !rest.endsWith(')')) continue;
    for (const method of rest.slice(methodsAt + 2, -1).split(', ')) {
      routes.push({ method: method as HTTPMethods, url });
    }
  }
  const unconfirmed = routes.filter((r) => !app.hasRoute({ method: r.method, url: r.url }));
  if (unconfirmed.length > 0) {
    throw new Error(`route table parse error, not routes of the app: ${unconfirmed.map(routeKey).join(', ')}`);
  }
  const documented = documentedRoutes(app).filter((d) => !routes.some((r) => routeKey(r) === routeKey(d)));
  if (documented.length > 0) {
    throw new Error(`route table parse missed documented routes: ${documented.map(routeKey).join(', ')}`);
  }
  return routes;
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, OpenApiOperation>>;
}

export interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: Record<string, unknown> }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

const openApiUrl = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

/** The routes in the OpenAPI document (routes with `hide: true` are not in it). */
export function documentedRoutes(app: FastifyInstance): RouteEntry[] {
  const doc = app.swagger() as OpenApiDoc;
  return Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase() as HTTPMethods, url: openApiUrl(path) })),
  );
}

/** The OpenAPI operation of a route, when documented. */
export function operationOf(app: FastifyInstance, route: RouteEntry): OpenApiOperation | undefined {
  const doc = app.swagger() as OpenApiDoc;
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    if (openApiUrl(path) === route.url) return ops[route.method.toLowerCase()];
  }
  return undefined;
}
