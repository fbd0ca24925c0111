import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's own compilers (Ajv for input, fast-json-stringify for answers),
 * each route's function compiled when the route is first used instead of
 * at start: compiling the few hundred schemas of every route took most of
 * a node's start-up CPU, for routes many nodes never serve. The first call
 * of a route pays its compile once (a few ms).
 */

type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type BuildValidator = (externalSchemas: unknown, options: unknown) => (route: unknown) => Validate;
type BuildSerializer = (externalSchemas: unknown, options: unknown) => (route: unknown) => (data: unknown) => string;

function lazyValidators(build: BuildValidator): BuildValidator {
  return (externalSchemas, options) => {
    // Even the Ajv instance of a scope (its meta-schemas, the scope's shared schemas) waits for a first use.
    let compilerFor: ((route: unknown) => Validate) | undefined;
    return (route) => {
      let compiled: Validate | undefined;
      const validate: Validate = (data, ctx) => {
        compiled ??= (compilerFor ??= build(externalSchemas, options))(route);
        const ok = compiled.schemaEnv ? compiled(data, ctx) : compiled(data);
        // Fastify reads a false result's reasons from the function it called.
        validate.errors = compiled.errors;
        return ok;
      };
      // Ajv's functions have it: Fastify then passes the parent object, so a coerced root value is kept.
      validate.schemaEnv = true;
      return validate;
    };
  };
}

function lazySerializers(build: BuildSerializer): BuildSerializer {
  return (externalSchemas, options) => {
    const compilerFor = build(externalSchemas, options);
    return (route) => {
      let compiled: ((data: unknown) => string) | undefined;
      return (data) => (compiled ??= compilerFor(route))(data);
    };
  };
}

/** The `schemaController` option of Fastify: its default compilers, compiled lazily. */
export const lazySchemaController = {
  compilersFactory: {
    buildValidator: lazyValidators(AjvCompiler() as unknown as BuildValidator),
    buildSerializer: lazySerializers(SerializerSelector() as unknown as BuildSerializer),
  },
};
