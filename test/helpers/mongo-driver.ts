/**
 * The MongoDB driver mongoose ships, for tests that talk to a server without mongoose: package.json
 * has no `mongodb` of its own, so there is one driver in node_modules.
 */
import { mongo } from 'mongoose';

export const { Binary, Decimal128, Long, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId } = mongo;
export type Binary = mongo.Binary;
export type Collection<TSchema extends Document = Document> = mongo.Collection<TSchema>;
export type Db = mongo.Db;
export type Decimal128 = mongo.Decimal128;
export type Document = mongo.Document;
export type Long = mongo.Long;
export type MongoBulkWriteError = mongo.MongoBulkWriteError;
export type MongoClient = mongo.MongoClient;
export type MongoServerError = mongo.MongoServerError;
export type ObjectId = mongo.ObjectId;
