import type { FieldError } from './http.js';

/**
 * Command options as Discord checks them (discord-api-docs, developers/interactions/application-commands.mdx,
 * Application Command Option Structure and Option Choice Structure):
 * - at registration: name 1-32 characters, unique within its list; description 1-100; "Required options must be
 *   listed before optional options"; choices "max 25", only on STRING, INTEGER and NUMBER, each name 1-100 and a value
 *   of the option's type ("up to 100 characters if string"); min_length 0-6000, max_length 1-6000 (STRING only);
 *   min_value/max_value (INTEGER, NUMBER only); "autocomplete may not be set to true if choices are present";
 *   subcommands and groups nest up to 25 options. An invalid definition is answered 50035 with the field path.
 * - when a member runs the command: "If you specify choices for an option, they are the only valid values for a user
 *   to pick", and the client enforces type, required, min/max value and length. A test asking for a value no member
 *   could enter gets that path and reason (no interaction is sent, as none would be).
 */
export const OptionType = {
	Subcommand: 1,
	SubcommandGroup: 2,
	String: 3,
	Integer: 4,
	Boolean: 5,
	User: 6,
	Channel: 7,
	Role: 8,
	Mentionable: 9,
	Number: 10,
	Attachment: 11
} as const;

const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const WITH_CHOICES = new Set<number>([OptionType.String, OptionType.Integer, OptionType.Number]);
const NUMERIC = new Set<number>([OptionType.Integer, OptionType.Number]);
/** "INTEGER: Any integer between -2^53+1 and 2^53-1", "NUMBER: Any double between -2^53 and 2^53". */
const INTEGER_LIMIT = 2 ** 53 - 1;
const NUMBER_LIMIT = 2 ** 53;

type Path = FieldError['path'];
const error = (path: Path, code: string, message: string): FieldError => ({ path, code, message });
const badLength = (path: Path, min: number, max: number) => error(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);

/** Every field error of a command's `options` list at registration (`path` is where the list sits, e.g. `[0, 'options']`). */
export function optionDefinitionErrors(options: unknown, path: Path): FieldError[] {
	if (options === undefined || options === null) return [];
	if (!Array.isArray(options)) return [error(path, 'BASE_TYPE_ARRAY', 'Must be an array.')];
	const errors: FieldError[] = [];
	if (options.length > 25) errors.push(error(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
	const names = new Set<string>();
	let optionalSeen = false;
	options.forEach((option: any, index) => {
		const at: Path = [...path, index];
		const type = Number(option?.type);
		if (!Number.isInteger(type) || type < OptionType.Subcommand || type > OptionType.Attachment) {
			errors.push(error([...at, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).'));
			return;
		}
		if (typeof option.name !== 'string' || !NAME_PATTERN.test(option.name) || option.name !== option.name.toLowerCase())
			errors.push(error([...at, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'));
		else if (names.has(option.name))
			errors.push(error([...at, 'name'], 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', 'Option name already exists'));
		else names.add(option.name);
		if (typeof option.description !== 'string' || option.description.length < 1 || option.description.length > 100)
			errors.push(badLength([...at, 'description'], 1, 100));
		if (type === OptionType.Subcommand || type === OptionType.SubcommandGroup) {
			errors.push(...optionDefinitionErrors(option.options, [...at, 'options']));
			return;
		}
		if (option.required === true && optionalSeen)
			errors.push(
				error(
					[...at, 'required'],
					'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
					'Required options must be placed before non-required options'
				)
			);
		if (option.required !== true) optionalSeen = true;
		if (option.choices !== undefined && option.choices !== null) {
			if (!WITH_CHOICES.has(type))
				errors.push(
					error([...at, 'choices'], 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID', 'Choices are only for string, integer and number options')
				);
			else if (!Array.isArray(option.choices) || option.choices.length > 25)
				errors.push(error([...at, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
			else {
				if (option.autocomplete === true)
					errors.push(
						error([...at, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete cannot be used with choices')
					);
				option.choices.forEach((choice: any, choiceIndex: number) => {
					const choiceAt: Path = [...at, 'choices', choiceIndex];
					if (typeof choice?.name !== 'string' || choice.name.length < 1 || choice.name.length > 100)
						errors.push(badLength([...choiceAt, 'name'], 1, 100));
					const problem = valueProblem(type, choice?.value);
					if (problem) errors.push(error([...choiceAt, 'value'], problem.code, problem.message));
					else if (type === OptionType.String && String(choice.value).length > 100) errors.push(badLength([...choiceAt, 'value'], 1, 100));
				});
			}
		}
		for (const [field, min, max] of [
			['min_length', 0, 6000],
			['max_length', 1, 6000]
		] as const) {
			const value = option[field];
			if (value === undefined || value === null) continue;
			if (type !== OptionType.String)
				errors.push(error([...at, field], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', `${field} is only for string options`));
			else if (!Number.isInteger(value) || value < min || value > max)
				errors.push(error([...at, field], 'NUMBER_TYPE_OUT_OF_RANGE', `Must be between ${min} and ${max}.`));
		}
		if (Number.isInteger(option.min_length) && Number.isInteger(option.max_length) && option.min_length > option.max_length)
			errors.push(error([...at, 'min_length'], 'APPLICATION_COMMAND_OPTION_LENGTH_INVALID', 'min_length must not exceed max_length'));
		for (const field of ['min_value', 'max_value'] as const) {
			const value = option[field];
			if (value === undefined || value === null) continue;
			if (NUMERIC.has(type)) {
				const problem = valueProblem(type, value);
				if (problem) errors.push(error([...at, field], problem.code, problem.message));
			} else errors.push(error([...at, field], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', `${field} is only for integer and number options`));
		}
		if (typeof option.min_value === 'number' && typeof option.max_value === 'number' && option.min_value > option.max_value)
			errors.push(error([...at, 'min_value'], 'APPLICATION_COMMAND_OPTION_VALUE_INVALID', 'min_value must not exceed max_value'));
	});
	return errors;
}

/** Whether `value` is of the option's type (string, integer in range, finite number in range, boolean). */
function valueProblem(type: number, value: unknown): { code: string; message: string } | null {
	switch (type) {
		case OptionType.String:
			return typeof value === 'string' ? null : { code: 'BASE_TYPE_STRING', message: 'Must be a string.' };
		case OptionType.Integer:
			return Number.isInteger(value) && Math.abs(value as number) <= INTEGER_LIMIT
				? null
				: { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(value)}" is not int.` };
		case OptionType.Number:
			return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= NUMBER_LIMIT
				? null
				: { code: 'NUMBER_TYPE_COERCE', message: `Value "${String(value)}" is not a valid number.` };
		case OptionType.Boolean:
			return typeof value === 'boolean' ? null : { code: 'BASE_TYPE_BOOLEAN', message: 'Must be either true or false.' };
		default:
			return null;
	}
}

/**
 * What the Discord client would refuse to send for these values (see the header), as field errors under `options`:
 * a missing required option, a value of the wrong type, one outside `choices`, below/above min/max value or length.
 */
export function optionValueErrors(schema: any[], given: Record<string, string | number | boolean>): FieldError[] {
	const errors: FieldError[] = [];
	for (const option of schema) {
		if (option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup) continue;
		const path: Path = ['options', option.name];
		const value = asTyped(option.type, given[option.name]);
		if (value === undefined) {
			if (option.required) errors.push(error(path, 'BASE_TYPE_REQUIRED', 'This field is required'));
			continue;
		}
		const problem = valueProblem(option.type, value);
		if (problem) {
			errors.push(error(path, problem.code, problem.message));
			continue;
		}
		if (Array.isArray(option.choices) && option.choices.length > 0 && !option.choices.some((choice: any) => choice.value === value))
			errors.push(
				error(
					path,
					'BASE_TYPE_CHOICES',
					`Value must be one of (${option.choices.map((choice: any) => JSON.stringify(choice.value)).join(', ')}).`
				)
			);
		if (typeof value === 'number') {
			if (typeof option.min_value === 'number' && value < option.min_value)
				errors.push(error(path, 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${option.min_value}.`));
			if (typeof option.max_value === 'number' && value > option.max_value)
				errors.push(error(path, 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${option.max_value}.`));
		}
		if (typeof value === 'string') {
			if (Number.isInteger(option.min_length) && value.length < option.min_length)
				errors.push(badLength(path, option.min_length, option.max_length ?? 6000));
			if (Number.isInteger(option.max_length) && value.length > option.max_length)
				errors.push(badLength(path, option.min_length ?? 0, option.max_length));
		}
	}
	return errors;
}

/** Tests may give numbers and booleans as text ("7", "true"), as a member types them. */
function asTyped(type: number, value: string | number | boolean | undefined): unknown {
	if (typeof value !== 'string') return value;
	if (NUMERIC.has(type) && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	if (type === OptionType.Boolean && (value === 'true' || value === 'false')) return value === 'true';
	return value;
}

/** A one-line description of field errors: `options.amount: int value should be greater than or equal to 1.` */
export function describeFieldErrors(errors: FieldError[]): string {
	return errors.map((entry) => `${entry.path.join('.')}: ${entry.message}`).join('; ');
}
