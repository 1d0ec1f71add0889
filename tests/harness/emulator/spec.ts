import { readFileSync } from 'node:fs';
import * as generated from 'discord-api-spec/zod';
import * as z from 'zod/mini';

/**
 * A reference that is not ours: every REST body the bot sends and every body the emulator answers is checked against
 * the Zod schemas of the npm package `discord-api-spec`, generated from Discord's own OpenAPI description
 * (github.com/discord/discord-api-spec). The package has schemas per type, and its `Paths` interface says which type
 * each route and method takes and returns; that interface is read here so no route-to-schema table is ours either.
 */

type Schema = z.ZodMiniType;

interface Operation {
	request: Schema | undefined;
	/** By status code ("200", "204"); a status not listed is itself a mismatch. */
	responses: Map<string, Schema>;
	errors: Schema | undefined;
}

interface SpecRoute {
	segments: string[];
	operations: Map<string, Operation>;
}

export interface SpecMismatch {
	/** `POST /channels/{channel_id}/messages`, the spec's own route. */
	route: string;
	/** What was checked: the bot's request body, or the emulator's response with its status. */
	side: 'request' | `response ${number}`;
	/** The field path (`embeds.0.color`), or `(body)` for the whole body. */
	field: string;
	problem: string;
}

/**
 * Where the OpenAPI description disagrees with Discord's documentation and with what Discord answers, the docs win;
 * each such place is listed here with its source, and nothing else is let through.
 */
const SPEC_GAPS: { route: RegExp; side: RegExp; field: RegExp; why: string }[] = [
	{
		// discord-api-docs, docs/interactions/Application_Commands.md, Application Command Object:
		// "default_member_permissions ?string Set of permissions represented as a bit set"; discord.js sends a string.
		route: /\/commands(\/\{command_id\})?$/,
		side: /^request$/,
		field: /(^|\.)default_member_permissions$/,
		why: 'the spec asks for an integer, the docs for a string'
	},
	{
		// discord-api-docs, docs/reference.mdx, Error Messages: the field errors are `{ "code": "BASE_TYPE_REQUIRED",
		// "message": "This field is required" }`, string codes; the spec's Error schema has a numeric code.
		route: /./,
		side: /^response 4\d\d$/,
		field: /(^|\.)errors\./,
		why: 'the spec gives field errors numeric codes, Discord string ones'
	}
];

const schemas = generated as unknown as Record<string, Schema | undefined>;

/** A TypeScript type expression from `Paths` (`MessageResponse[] | null`, `(A | B | null)[]`) as a Zod schema. */
function schemaFor(expression: string): Schema {
	const tokens = expression.match(/[A-Za-z_][A-Za-z0-9_]*|\[\]|[|(){}]|"[^"]*"/g) ?? [];
	let at = 0;
	const union = (): Schema => {
		const options: Schema[] = [];
		if (tokens[at] === '|') at++;
		options.push(postfix());
		while (tokens[at] === '|') {
			at++;
			options.push(postfix());
		}
		return options.length === 1 ? options[0]! : z.union(options);
	};
	const postfix = (): Schema => {
		let schema = primary();
		while (tokens[at] === '[]') {
			at++;
			schema = z.array(schema);
		}
		return schema;
	};
	const primary = (): Schema => {
		const token = tokens[at++];
		if (token === '(') {
			const inner = union();
			at++; // ')'
			return inner;
		}
		if (token === '{') {
			// An inline object (a few upload routes): not among the routes the emulator serves; accepted as it is.
			let depth = 1;
			while (depth > 0 && at < tokens.length) {
				const next = tokens[at++];
				if (next === '{') depth++;
				else if (next === '}') depth--;
			}
			return z.unknown();
		}
		if (token === 'null') return z.null();
		if (token === 'string') return z.string();
		if (token === 'number') return z.number();
		if (token === 'boolean') return z.boolean();
		if (token === 'unknown' || token === 'undefined' || token === 'never') return z.unknown();
		return schemas[`${token}Schema`] ?? z.unknown();
	};
	return union();
}

/** Reads `export interface Paths { ... }` of the package's `.ts` build: path → method → request body and responses. */
function loadRoutes(): SpecRoute[] {
	// The package exports only `import` conditions, so it is found by its place in node_modules.
	const source = readFileSync(new URL('../../../node_modules/discord-api-spec/build/discord-api-spec.ts', import.meta.url), 'utf8');
	const start = source.indexOf('export interface Paths {');
	const lines = source.slice(start, source.indexOf('\n}\n', start)).split('\n');
	const routes: SpecRoute[] = [];
	let route: SpecRoute | undefined;
	let operation: Operation | undefined;
	let pending: { kind: 'request' | 'response'; status: string; text: string } | undefined;
	const finish = () => {
		if (!pending || !operation) return;
		const schema = schemaFor(pending.text.replace(/;\s*$/, ''));
		if (pending.kind === 'request') operation.request = pending.text.trim() === 'undefined;' ? undefined : schema;
		else if (pending.status === '4XX') operation.errors = schema;
		else operation.responses.set(pending.status, schema);
		pending = undefined;
	};
	for (const line of lines) {
		if (pending) {
			pending.text += ` ${line.trim()}`;
			if (line.trim().endsWith(';')) finish();
			continue;
		}
		const path = /^ {2}"([^"]+)": \{$/.exec(line);
		if (path) {
			route = { segments: path[1]!.split('/').filter(Boolean), operations: new Map() };
			routes.push(route);
			continue;
		}
		const method = /^ {4}(get|put|post|patch|delete): \{$/.exec(line);
		if (method && route) {
			operation = { request: undefined, responses: new Map(), errors: undefined };
			route.operations.set(method[1]!.toUpperCase(), operation);
			continue;
		}
		const body = /^ {6}requestBody\?:(.*)$/.exec(line);
		const status = /^ {8}"(\d{3}|4XX)":(.*)$/.exec(line);
		if (body) pending = { kind: 'request', status: '', text: body[1]! };
		else if (status) pending = { kind: 'response', status: status[1]!, text: status[2]! };
		else continue;
		if (pending.text.trim().endsWith(';')) finish();
	}
	return routes;
}

let routes: SpecRoute[] | undefined;

/** The spec's route for a concrete path (`/guilds/123/invites` → `/guilds/{guild_id}/invites`); literal segments win. */
function specRoute(method: string, path: string): { pattern: string; operation: Operation } | undefined {
	routes ??= loadRoutes();
	const parts = path.split('/').filter(Boolean);
	let best: { pattern: string; operation: Operation; literals: number } | undefined;
	for (const route of routes) {
		const operation = route.operations.get(method);
		if (!operation || route.segments.length !== parts.length) continue;
		let literals = 0;
		const matches = route.segments.every((segment, index) => {
			if (segment.startsWith('{')) return true;
			literals++;
			return segment === parts[index];
		});
		if (matches && (!best || literals > best.literals)) best = { pattern: `/${route.segments.join('/')}`, operation, literals };
	}
	return best;
}

/**
 * How far an alternative of a union is from the value: a wrong type of the whole value or a wrong discriminator
 * (`type: 0` against an alternative for `type: 2`) means it is another kind of object, not a broken one of this kind.
 */
function distance(issues: readonly z.core.$ZodIssue[]): number {
	const otherKind = issues.filter(
		(issue) => (issue.path.length === 0 && issue.code === 'invalid_type') || (issue.path.length === 1 && issue.code === 'invalid_value')
	).length;
	return otherKind * 1000 + issues.length;
}

/** Zod issues as field paths; for a union, the issues of the alternative closest to the value. */
function describe(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): { field: string; problem: string }[] {
	const out: { field: string; problem: string }[] = [];
	for (const issue of issues) {
		const path = [...prefix, ...issue.path];
		if (issue.code === 'invalid_union' && issue.errors.length > 0) {
			const closest = [...issue.errors].sort((a, b) => distance(a) - distance(b))[0]!;
			out.push(...describe(closest, path));
			continue;
		}
		const detail =
			issue.code === 'invalid_type'
				? `expected ${issue.expected}`
				: issue.code === 'invalid_value'
					? `expected one of ${JSON.stringify(issue.values)}`
					: `${issue.code}: ${issue.message}`;
		// Array indices as `[]`, so one wrong field of a 1000-member page is one line.
		const field = path.map((key) => (typeof key === 'number' ? '[]' : String(key))).join('.');
		out.push({ field: field || '(body)', problem: detail });
	}
	return out;
}

function check(schema: Schema, value: unknown, route: string, side: SpecMismatch['side']): SpecMismatch[] {
	const result = schema.safeParse(value);
	if (result.success) return [];
	return describe(result.error.issues)
		.map((issue) => ({ route, side, ...issue }))
		.filter((mismatch) => !SPEC_GAPS.some((gap) => gap.route.test(route) && gap.side.test(side) && gap.field.test(mismatch.field)));
}

/** The bot's request body against the route's request schema; an unknown route is the router's business, not this. */
export function checkRequest(method: string, path: string, body: unknown): SpecMismatch[] {
	const match = specRoute(method, path);
	if (!match?.operation.request || body === undefined) return [];
	return check(match.operation.request, body, `${method} ${match.pattern}`, 'request');
}

/** The emulator's answer against the schema for its status (errors against the 4XX schema). */
export function checkResponse(method: string, path: string, status: number, body: unknown): SpecMismatch[] {
	const match = specRoute(method, path);
	if (!match) return [];
	const route = `${method} ${match.pattern}`;
	const side = `response ${status}` as const;
	if (status === 429 || status >= 500) return [];
	if (status >= 400) return match.operation.errors ? check(match.operation.errors, body, route, side) : [];
	const schema = match.operation.responses.get(String(status));
	if (!schema) {
		const listed = [...match.operation.responses.keys()].filter((code) => code.startsWith('2')).join(', ');
		return [{ route, side, field: '(status)', problem: `the spec answers ${listed}, not ${status}` }];
	}
	return status === 204 ? [] : check(schema, body, route, side);
}

/**
 * Mismatches not yet reported, from every emulator in this test process. The setup file `tests/harness/spec-check.ts`
 * fails the running test with them, so each e2e test gets the check without asking for it.
 */
export const pendingSpecMismatches: SpecMismatch[] = [];

/** For a test that sends a wrong body on purpose: takes the mismatches queued so far, so they do not fail it. */
export function takeSpecMismatches(): SpecMismatch[] {
	return pendingSpecMismatches.splice(0);
}

export function formatMismatch(mismatch: SpecMismatch): string {
	return `${mismatch.route} (${mismatch.side}) ${mismatch.field}: ${mismatch.problem}`;
}
