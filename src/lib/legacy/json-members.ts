import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * The top-level members of a JSON object file, one at a time, read in pieces: an import of Supreme-BOT2's largest
 * files (join-history.json, invites.json: one member per server or member) never holds the file's text or its parsed
 * tree whole, only the member being converted. Each member comes as its key and its value's JSON text; the value is
 * parsed by JSON.parse, so what counts as valid is JSON.parse's rule, and a file that is not one JSON object throws.
 */

const PIECE_BYTES = 1024 * 1024;

export class JsonShapeError extends Error {
	public override readonly name = 'JsonShapeError';
}

const enum State {
	/** Before the opening brace. */
	Start,
	/** After `{` or `,`: a key (or, only after `{`, the closing brace). */
	BeforeKey,
	InKey,
	/** Between the key and its colon. */
	AfterKey,
	/** Inside a value (with its nesting depth and whether inside a string). */
	InValue,
	/** After the closing brace: only white space may follow. */
	End
}

const SPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether the file starts (after white space and a BOM) with `{`; false for an empty file. */
export async function startsWithObject(path: string): Promise<boolean> {
	for await (const piece of pieces(path)) {
		const text = piece.replace(/^\uFEFF/, '').trimStart();
		if (text.length > 0) return text.startsWith('{');
	}
	return false;
}

async function* pieces(path: string): AsyncGenerator<string> {
	const decoder = new StringDecoder('utf8');
	for await (const chunk of createReadStream(path, { highWaterMark: PIECE_BYTES })) yield decoder.write(chunk as Buffer);
	const rest = decoder.end();
	if (rest) yield rest;
}

/** `[key, value text]` for each top-level member of the object in `path`, in file order. */
export async function* objectMembers(path: string): AsyncGenerator<[string, string]> {
	let state = State.Start as State;
	let members = 0;
	let offset = 0;
	/** Text of the member being read (key or value) carried over from earlier pieces. */
	let carried = '';
	let key = '';
	let depth = 0;
	let inString = false;
	let escaped = false;
	const fail = (reason: string, at: number): never => {
		throw new JsonShapeError(`${reason} at position ${at}`);
	};
	for await (let piece of pieces(path)) {
		if (offset === 0) piece = piece.replace(/^\uFEFF/, '');
		let start = 0;
		for (let index = 0; index < piece.length; index++) {
			const code = piece.charCodeAt(index);
			switch (state) {
				case State.Start:
				case State.End:
					if (SPACE.has(code)) break;
					if (state === State.Start && code === 0x7b) state = State.BeforeKey;
					else fail(`Unexpected token ${piece[index]}`, offset + index);
					break;
				case State.BeforeKey:
					if (SPACE.has(code)) break;
					if (code === QUOTE) {
						state = State.InKey;
						start = index;
						carried = '';
						escaped = false;
					} else if (code === 0x7d && members === 0) state = State.End;
					else fail(`Unexpected token ${piece[index]}`, offset + index);
					break;
				case State.InKey:
					if (escaped) escaped = false;
					else if (code === BACKSLASH) escaped = true;
					else if (code === QUOTE) {
						key = JSON.parse(carried + piece.slice(start, index + 1)) as string;
						state = State.AfterKey;
					}
					break;
				case State.AfterKey:
					if (SPACE.has(code)) break;
					if (code !== 0x3a) fail(`Unexpected token ${piece[index]}`, offset + index);
					state = State.InValue;
					start = index + 1;
					carried = '';
					depth = 0;
					inString = false;
					escaped = false;
					break;
				case State.InValue:
					if (inString) {
						if (escaped) escaped = false;
						else if (code === BACKSLASH) escaped = true;
						else if (code === QUOTE) inString = false;
					} else if (code === QUOTE) inString = true;
					else if (code === 0x7b || code === 0x5b) depth++;
					else if ((code === 0x7d || code === 0x5d) && depth > 0) depth--;
					else if (depth === 0 && (code === 0x2c || code === 0x7d)) {
						const value = carried + piece.slice(start, index);
						carried = '';
						members++;
						yield [key, value];
						state = code === 0x2c ? State.BeforeKey : State.End;
					}
					break;
			}
		}
		if (state === State.InKey || state === State.InValue) carried += piece.slice(start);
		offset += piece.length;
	}
	if (state !== State.End) fail('Unexpected end of JSON input', offset);
}
