import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A request header by its lower-case name (API Gateway keeps the case the client sent). */
export function headerValue(headers: APIGatewayProxyEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Every request header by lower-case name (the last value of a repeated one). */
export function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {}))
    if (value !== undefined) lower[key.toLowerCase()] = value;
  return lower;
}
