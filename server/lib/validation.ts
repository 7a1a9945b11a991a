// Request validation. JSON bodies are validated strictly: a wrong type is an error naming the field,
// never silently coerced ({ regionId: true } must not become 1). Path parameters and query strings
// arrive as text, so there numbers and booleans are coerced from their string form.
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function make(options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

const strictAjv = make({ coerceTypes: false });
const coercingAjv = make({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
