import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';

/*
 * What the fuzz test (tests/http/fuzz.test.ts) sends, derived from the code so that a new tRPC
 * procedure, schema or form action is fuzzed without editing the test: inputs come from each
 * zod schema's JSON Schema (the input side), mixed with values that broke the app before (issue 8
 * items 6–10): NUL, integers past the column, impossible dates, very long text, wrong shapes.
 */

/** Values that are wrong for almost every field. */
export const HOSTILE_VALUES: readonly unknown[] = [
	'\u0000',
	'a\u0000b',
	'%00',
	2 ** 31,
	2 ** 31 - 1,
	-(2 ** 31) - 1,
	2 ** 53,
	2 ** 53 + 2,
	-1,
	0,
	1.5,
	1e308,
	'NaN',
	'Infinity',
	'-1',
	'2147483648',
	'9007199254740993',
	'1e309',
	'9999-12-31',
	'0000-00-00',
	'2026-02-30',
	'2026-13-01',
	'-271821-04-19',
	'+275760-09-13T00:00:00.000Z',
	'x'.repeat(20_000),
	'長'.repeat(5_000),
	'\ud800',
	'not-a-uuid',
	'00000000-0000-0000-0000-000000000000',
	"' or 1=1; --",
	'<script>alert(1)</script>',
	'../../etc/passwd',
	'',
	' ',
	true,
	null,
	[],
	[1, 2],
	{},
	{ nested: { deeper: ['\u0000'] } }
];

export const hostile = (): fc.Arbitrary<unknown> => fc.constantFrom(...HOSTILE_VALUES);

type JsonSchema = {
	type?: string | string[];
	format?: string;
	pattern?: string;
	enum?: unknown[];
	const?: unknown;
	minLength?: number;
	maxLength?: number;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number;
	exclusiveMaximum?: number;
	minItems?: number;
	maxItems?: number;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	additionalProperties?: JsonSchema | boolean;
	items?: JsonSchema | JsonSchema[];
	prefixItems?: JsonSchema[];
	anyOf?: JsonSchema[];
	oneOf?: JsonSchema[];
	allOf?: JsonSchema[];
	$ref?: string;
	$defs?: Record<string, JsonSchema>;
};

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
	return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

export interface InputContext {
	/** Ids that exist in the demo data, so inputs reach past "not found". */
	ids: () => readonly string[];
}

/** The longest text generated: a body of a few of them stays under every request limit. */
const LONGEST = 200_000;

const ISO_DATES = fc
	.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true })
	.map((date) => date.toISOString().slice(0, 10));

function stringArbitrary(node: JsonSchema, context: InputContext): fc.Arbitrary<string> {
	const max = node.maxLength;
	const min = node.minLength ?? 0;
	const boundaries: string[] = [];
	// Past the request body limits (1 MB for tRPC) a field's own bound cannot be reached over
	// HTTP: the request is refused whole (413) before any schema runs.
	if (max !== undefined && max < LONGEST) boundaries.push('x'.repeat(max), 'x'.repeat(max + 1));
	else if (max !== undefined) boundaries.push('x'.repeat(LONGEST));
	if (min > 0) boundaries.push('x'.repeat(min - 1));
	const withBoundaries = (main: fc.Arbitrary<string>) =>
		boundaries.length
			? fc.oneof(
					{ arbitrary: main, weight: 5 },
					{ arbitrary: fc.constantFrom(...boundaries), weight: 1 }
				)
			: main;
	switch (node.format) {
		case 'uuid':
		case 'guid':
			return fc.oneof(
				{
					arbitrary: fc.constant(null).chain(() => {
						const ids = context.ids();
						return ids.length ? fc.constantFrom(...ids) : fc.uuid();
					}),
					weight: 4
				},
				{ arbitrary: fc.uuid(), weight: 1 }
			);
		case 'email':
			return fc.emailAddress();
		case 'date':
			return fc.oneof(ISO_DATES, fc.constantFrom('9999-12-31', '0000-00-00', '2026-02-29'));
		case 'date-time':
			return fc
				.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true })
				.map((date) => date.toISOString());
	}
	if (node.pattern) {
		try {
			return withBoundaries(fc.stringMatching(new RegExp(node.pattern)));
		} catch {
			// a pattern fast-check cannot generate from: plain text below
		}
	}
	const unit = fc.constantFrom('grapheme', 'binary', 'grapheme-ascii') as fc.Arbitrary<
		'grapheme' | 'binary' | 'grapheme-ascii'
	>;
	const text = unit.chain((u) =>
		fc.string({ unit: u, minLength: Math.min(min, 200), maxLength: Math.min(max ?? 40, 200) })
	);
	return withBoundaries(text);
}

function numberArbitrary(node: JsonSchema, integer: boolean): fc.Arbitrary<number> {
	const low = node.minimum ?? node.exclusiveMinimum ?? -(2 ** 40);
	const high = node.maximum ?? node.exclusiveMaximum ?? 2 ** 40;
	const edges = [low - 1, low, high, high + 1].filter((n) => Number.isFinite(n));
	const main = integer
		? fc.integer({
				min: Math.max(Math.ceil(low), Number.MIN_SAFE_INTEGER),
				max: Math.min(Math.floor(high), Number.MAX_SAFE_INTEGER)
			})
		: fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true });
	return fc.oneof(
		{ arbitrary: main, weight: 4 },
		{ arbitrary: fc.constantFrom(...edges, 1, 0), weight: 1 }
	);
}

/**
 * Values for `node`: mostly what the schema asks for, sometimes (1 in `hostileOneIn`) a hostile
 * value in its place, at every depth.
 */
export function arbitraryOf(
	node: JsonSchema,
	context: InputContext,
	root: JsonSchema = node,
	depth = 0
): fc.Arbitrary<unknown> {
	const typed = typedArbitrary(node, context, root, depth);
	return fc.oneof({ arbitrary: typed, weight: 6 }, { arbitrary: hostile(), weight: 1 });
}

function typedArbitrary(
	node: JsonSchema,
	context: InputContext,
	root: JsonSchema,
	depth: number
): fc.Arbitrary<unknown> {
	if (depth > 6) return hostile();
	const child = (next: JsonSchema) => arbitraryOf(next, context, root, depth + 1);
	if (node.$ref) {
		const name = node.$ref.replace(/^#\/\$defs\//, '');
		const target = node.$ref === '#' ? root : root.$defs?.[name];
		return target ? typedArbitrary(target, context, root, depth + 1) : hostile();
	}
	if (node.const !== undefined) return fc.constant(node.const);
	if (node.enum) return fc.constantFrom(...node.enum);
	const alternatives = node.anyOf ?? node.oneOf;
	if (alternatives?.length) return fc.oneof(...alternatives.map(child));
	if (node.allOf?.length) return typedArbitrary(node.allOf[0]!, context, root, depth + 1);
	const type = Array.isArray(node.type) ? node.type[0] : node.type;
	switch (type) {
		case 'string':
			return stringArbitrary(node, context);
		case 'integer':
			return numberArbitrary(node, true);
		case 'number':
			return numberArbitrary(node, false);
		case 'boolean':
			return fc.boolean();
		case 'null':
			return fc.constant(null);
		case 'array': {
			if (node.prefixItems) return fc.tuple(...node.prefixItems.map(child));
			const items = Array.isArray(node.items) ? node.items[0] : node.items;
			return fc.array(items ? child(items) : hostile(), {
				minLength: Math.min(node.minItems ?? 0, 5),
				maxLength: Math.min(node.maxItems ?? 4, 6)
			});
		}
		case 'object': {
			const properties = node.properties ?? {};
			const model = Object.fromEntries(
				Object.entries(properties).map(([name, property]) => [name, child(property)])
			);
			const required = (node.required ?? []).filter((name) => name in model);
			const complete = fc.record(model, { requiredKeys: required });
			// Missing fields and a stray one, now and then.
			const partial = fc.record(model, { requiredKeys: [] });
			const extra = fc
				.tuple(complete, hostile())
				.map(([object, value]) => ({ ...(object as object), unexpected: value }));
			return fc.oneof(
				{ arbitrary: complete, weight: 6 },
				{ arbitrary: partial, weight: 1 },
				{ arbitrary: extra, weight: 1 }
			);
		}
	}
	// An input zod cannot describe (a transform, a custom check): anything.
	return fc.oneof(hostile(), fc.jsonValue({ maxDepth: 2 }));
}

/** The input arbitrary of a procedure or form: the schema's values, or a wrong shape entirely. */
export function inputArbitrary(schema: z.ZodType | undefined, context: InputContext) {
	if (!schema) return fc.oneof(fc.constant(undefined), hostile());
	return arbitraryOf(jsonSchemaOf(schema), context);
}

/** A value as a form field: text as is, anything else as JSON (a form carries only text). */
export function formText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined) return '';
	return JSON.stringify(value);
}

/** An object as form fields: an array is a repeated name, a nested object its JSON. */
export function formFields(input: unknown): [string, string][] {
	if (input === null || typeof input !== 'object' || Array.isArray(input))
		return [['value', formText(input)]];
	const fields: [string, string][] = [];
	for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const one of value) fields.push([name, formText(one)]);
		else fields.push([name, formText(value)]);
	}
	return fields;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** Files under `dir` (relative to the repository) whose name passes `keep`, sorted. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
	return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
		.filter((item) => item.isFile() && keep(item.name))
		.map((item) => relative(ROOT, join(item.parentPath, item.name)))
		.sort();
}

/** Every exported zod schema of the services' schema files, by export name. */
export async function serviceSchemas(): Promise<Map<string, z.ZodType>> {
	const schemas = new Map<string, z.ZodType>();
	for (const file of filesUnder('src/lib/server/services', (name) => name.endsWith('.schema.ts'))) {
		const module = (await import(join(ROOT, file))) as Record<string, unknown>;
		for (const [name, value] of Object.entries(module))
			if (value instanceof z.ZodType) schemas.set(name, value);
	}
	return schemas;
}

export interface FormAction {
	/** The route as a URL, `[id]` params as `{id}`. */
	route: string;
	/** The action's name; `default` is posted without `?/name`. */
	name: string;
	/** Schema export names its source mentions (the schema it parses the form with). */
	schemaNames: string[];
	file: string;
}

/** The top-level entries of the object literal that starts at `open` (`{`): [key, source]. */
function objectEntries(source: string, open: number): [string, string][] {
	const entries: [string, string][] = [];
	let depth = 0;
	let start = open + 1;
	let quote: string | null = null;
	for (let i = open; i < source.length; i++) {
		const c = source[i]!;
		if (quote) {
			if (c === '\\') i++;
			else if (c === quote) quote = null;
			continue;
		}
		if (c === '/' && source[i + 1] === '/') {
			i = source.indexOf('\n', i);
			continue;
		}
		if (c === '/' && source[i + 1] === '*') {
			i = source.indexOf('*/', i) + 1;
			continue;
		}
		if (c === '"' || c === "'" || c === '`') quote = c;
		else if (c === '{' || c === '(' || c === '[') depth++;
		else if (c === '}' || c === ')' || c === ']') {
			depth--;
			if (depth === 0) {
				entries.push(entry(source.slice(start, i)));
				break;
			}
		} else if (c === ',' && depth === 1) {
			entries.push(entry(source.slice(start, i)));
			start = i + 1;
		}
	}
	return entries.filter(([key]) => key !== '');
}

function entry(text: string): [string, string] {
	const key = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)/.exec(
		text.replace(/^\s*(\/\/[^\n]*\n\s*)*/, '')
	);
	return [key?.[1] ?? '', text];
}

/** Every form action of every page, read from the route files. */
export function formActions(schemaNames: ReadonlySet<string>): FormAction[] {
	const actions: FormAction[] = [];
	for (const file of filesUnder('src/routes', (name) => name === '+page.server.ts')) {
		const source = readFileSync(join(ROOT, file), 'utf8');
		const at = source.search(/export\s+const\s+actions\b/);
		if (at < 0) continue;
		const open = source.indexOf('{', source.indexOf('=', at));
		const segments = relative('src/routes', file)
			.split(sep)
			.slice(0, -1)
			.filter((segment) => !/^\(.*\)$/.test(segment))
			.map((segment) => segment.replace(/^\[(\w+)(=\w+)?\]$/, '{$1}'));
		const route = `/${segments.join('/')}`;
		const mentioned = (text: string) =>
			[...new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? [])].filter((word) => schemaNames.has(word));
		for (const [name, body] of objectEntries(source, open)) {
			// A shorthand entry names a function defined elsewhere in the file.
			const own = mentioned(body);
			actions.push({ route, name, schemaNames: own.length ? own : mentioned(source), file });
		}
	}
	return actions;
}
