/**
 * The BSON library of the MongoDB driver mongoose ships. package.json lists neither `bson` nor
 * `mongodb`, so the store encodes with the very copy the app's driver decodes with, and a mongoose
 * upgrade cannot leave a second copy behind.
 */
import { mongo } from 'mongoose';

export const { calculateObjectSize, deserialize, EJSON, Long, ObjectId, serialize } = mongo.BSON;
export type Binary = mongo.BSON.Binary;
export type Document = mongo.BSON.Document;
export type Long = mongo.BSON.Long;
export type ObjectId = mongo.BSON.ObjectId;
