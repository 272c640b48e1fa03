import type { Connection, Model, Schema } from 'mongoose';

/**
 * The model `name` on `connection`, compiled from `schema` the first time and reused after:
 * every module builds its models per connection (tests open many), never on mongoose's global.
 */
export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
}
