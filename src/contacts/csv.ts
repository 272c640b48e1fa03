/**
 * Streaming CSV reading for bulk uploads: csv-parse over the request body, never the whole file in
 * memory. The delimiter is read off the header line (`;` from Spanish Excel, `,`, or tab); a UTF-8
 * BOM, quoted fields with commas, quotes and newlines are handled by the parser.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** How much of the body is looked at to find the end of the header line. */
const HEADER_PEEK_BYTES = 64 * 1024;

/** Header names (lowercased, accents and spaces folded) and what they mean. */
const HEADER_ALIASES: Record<string, string> = {
  phone: 'phone', telefono: 'phone', celular: 'phone', movil: 'phone', whatsapp: 'phone', phone_number: 'phone', mobile: 'phone', numero: 'phone',
  name: 'name', nombre: 'name', full_name: 'name', nombre_completo: 'name',
  first_name: 'first_name', nombres: 'first_name', primer_nombre: 'first_name',
  email: 'email', correo: 'email', correo_electronico: 'email', e_mail: 'email', mail: 'email',
  company: 'company', empresa: 'company', compania: 'company',
  tags: 'tags', etiquetas: 'tags', tag: 'tags',
  locale: 'locale', idioma: 'locale',
  timezone: 'timezone', zona_horaria: 'timezone', time_zone: 'timezone',
  opt_in_status: 'opt_in_status', opt_in_source: 'opt_in_source', opt_in_at: 'opt_in_at',
  do_not_contact: 'do_not_contact', no_contactar: 'do_not_contact',
  source: 'source', origen: 'source',
};

export function normalizeHeader(raw: string): string {
  const folded = raw
    .replace(/^\uFEFF/, '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');
  const custom = /^(?:custom_fields_|custom:)(.+)$/.exec(folded);
  if (custom) return `custom:${custom[1]}`;
  return HEADER_ALIASES[folded] ?? `custom:${raw.trim()}`;
}

/** The delimiter of `headerLine`: whichever of `;`, `,` and tab appears most outside quotes (`,` on a tie or none). */
export function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  let best = ',';
  for (const d of [';', '\t']) if ((counts[d] ?? 0) > (counts[best] ?? 0)) best = d;
  return best;
}

/** The end of the first line outside quotes in `text`, or -1. */
function firstLineEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return i;
  }
  return -1;
}

/**
 * The records of a CSV body with a header row, as `{ column: value }` keyed by the normalized
 * header ({@link normalizeHeader}: known columns by their contact field, others `custom:<name>`).
 * Iterating pulls from the body as needed (backpressure), so memory does not grow with the file.
 */
export async function* readCsv(body: AsyncIterable<Uint8Array>): AsyncGenerator<Record<string, string>> {
  const iterator = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let headerLine: string | undefined;
  while (headerLine === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value);
    head.push(chunk);
    headBytes += chunk.length;
    const text = Buffer.concat(head).toString('utf8').replace(/^\uFEFF/, '');
    const end = firstLineEnd(text);
    if (end >= 0) headerLine = text.slice(0, end);
    else if (headBytes > HEADER_PEEK_BYTES) headerLine = text;
  }
  if (head.length === 0) return;
  headerLine ??= Buffer.concat(head).toString('utf8').replace(/^\uFEFF/, '');
  const delimiter = detectDelimiter(headerLine);

  async function* replay(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  const parser = parse({
    delimiter,
    bom: true,
    columns: (header: string[]) => header.map(normalizeHeader),
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  });
  const source = Readable.from(replay());
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const record of parser) yield record as Record<string, string>;
  } finally {
    source.destroy();
  }
}

const TRUE = new Set(['true', '1', 'yes', 'si', 'sí', 'y', 's', 'x']);
const FALSE = new Set(['false', '0', 'no', 'n', '']);

/**
 * A CSV record as a contact's fields (the same shape a JSON row has). Empty cells are left out, so
 * re-sending a file with an empty column never clears what is stored. Tags: one cell, separated by
 * `|` or `,` (quote the cell when the file's delimiter is `,`). Unknown columns become custom_fields.
 */
export function csvRecordToFields(record: Record<string, string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const custom: Record<string, string> = {};
  for (const [key, raw] of Object.entries(record)) {
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === '' || value === undefined) continue;
    if (key.startsWith('custom:')) custom[key.slice('custom:'.length)] = value;
    else if (key === 'tags') fields.tags = value.split(/[|,]/);
    else if (key === 'do_not_contact') fields.do_not_contact = TRUE.has(value.toLowerCase()) ? true : FALSE.has(value.toLowerCase()) ? false : value;
    else fields[key] = value;
  }
  if (Object.keys(custom).length) fields.custom_fields = custom;
  return fields;
}
