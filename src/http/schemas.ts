import { Type } from '@fastify/type-provider-typebox';

/** The error body of every non-OAuth endpoint. */
export const ErrorBody = Type.Object(
  { error: Type.String({ description: 'stable snake_case code' }), message: Type.String() },
  { $id: 'Error', additionalProperties: true },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error')]));
