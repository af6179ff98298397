/** A filestore path as Odoo writes it in `ir_attachment.store_fname`: `<sha1[:2]>/<sha1>`. */
const STORE_FNAME = /^([0-9a-f]{2})\/([0-9a-f]{40})$/;

/** Whether `storeFname` is a content-addressed filestore path (its directory is the first two hex digits of its name). */
export function isStoreFname(storeFname: string): boolean {
  const m = STORE_FNAME.exec(storeFname);
  return m !== null && m[2]!.startsWith(m[1]!);
}

/** The SHA-1 a content-addressed path names. Throws on a path that is not one (callers check with isStoreFname). */
export function sha1OfStoreFname(storeFname: string): string {
  if (!isStoreFname(storeFname)) throw new Error(`not a filestore path: ${storeFname}`);
  return storeFname.slice(3);
}

/**
 * Where the attachment store keeps a database's files in the bucket (DESIGN:
 * `CF_R2_PREFIX` + `filestore/<db>/<xx>/<sha1>`). Archive retention never
 * lists under it: backup names never start with `filestore/`.
 */
export function storePrefix(bucketPrefix: string, database: string): string {
  return `${bucketPrefix}filestore/${database}/`;
}

/** The object key of one file. */
export function storeKey(bucketPrefix: string, database: string, storeFname: string): string {
  return `${storePrefix(bucketPrefix, database)}${storeFname}`;
}
