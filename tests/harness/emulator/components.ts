import { invalidFormFields, type FieldError } from './http.js';

/**
 * Message components checked as Discord checks them, answering 50035 with the field path
 * (discord-api-docs, developers/components/reference.mdx):
 * - "Legacy messages allow up to 5 action rows as top-level components"; with IS_COMPONENTS_V2 (1 << 15) "Messages
 *   allow up to 40 total components" (Legacy Message Component Behavior; the introduction).
 * - An action row holds "Up to 5 interactive button components or a single select component" (Action Row).
 * - custom_id "is a string of 1 to 100 characters"; "Multiple components on the same message must not share the same
 *   custom_id" (Anatomy of a Component, Custom ID). Disabled components count too: discord-api-docs issue #3673 shows
 *   the error, `components[0].components[1].custom_id` COMPONENT_CUSTOM_ID_DUPLICATED.
 * - "Non-link and non-premium buttons must have a custom_id, and cannot have a url"; "Link buttons must have a url,
 *   and cannot have a custom_id"; label "max 80 characters" (Button).
 * BASE_TYPE_BAD_LENGTH and COMPONENT_CUSTOM_ID_DUPLICATED are the codes Discord answers; the docs list no codes for the
 * button field rules, so those carry descriptive names of the emulator's own (a bot reads the path, not the code).
 */
const ComponentType = { ActionRow: 1, Button: 2 } as const;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);
const ButtonStyle = { Link: 5, Premium: 6 } as const;
const IS_COMPONENTS_V2 = 1 << 15;

const badLength = (path: FieldError['path'], min: number, max: number): FieldError => ({
	path,
	code: 'BASE_TYPE_BAD_LENGTH',
	message: `Must be between ${min} and ${max} in length.`
});

/** Every field error of a message's `components` (empty when Discord would accept them). */
export function componentErrors(components: unknown, flags = 0): FieldError[] {
	if (components === undefined || components === null) return [];
	if (!Array.isArray(components)) return [{ path: ['components'], code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }];
	const errors: FieldError[] = [];
	const v2 = (flags & IS_COMPONENTS_V2) !== 0;
	if (!v2 && components.length > 5) errors.push(badLength(['components'], 0, 5));
	const seen = new Map<string, string>();
	let total = 0;
	const visit = (component: any, path: FieldError['path'], inRow: boolean) => {
		total++;
		if (typeof component !== 'object' || component === null) {
			errors.push({ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
			return;
		}
		if (component.type === ComponentType.ActionRow) {
			if (inRow) errors.push({ path: [...path, 'type'], code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', message: 'An action row cannot nest one' });
			const children: any[] = Array.isArray(component.components) ? component.components : [];
			if (children.length < 1 || children.length > 5) errors.push(badLength([...path, 'components'], 1, 5));
			const selects = children.filter((child) => SELECT_TYPES.has(child?.type)).length;
			if (selects > 0 && children.length > 1)
				errors.push({
					path: [...path, 'components'],
					code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
					message: 'The specified component exceeds the maximum width'
				});
			children.forEach((child, index) => visit(child, [...path, 'components', index], true));
			return;
		}
		if (component.type === ComponentType.Button) {
			const link = component.style === ButtonStyle.Link;
			const premium = component.style === ButtonStyle.Premium;
			if (link && component.custom_id !== undefined)
				errors.push({
					path: [...path, 'custom_id'],
					code: 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
					message: 'A link button cannot have a custom id'
				});
			if (link && typeof component.url !== 'string')
				errors.push({ path: [...path, 'url'], code: 'BUTTON_COMPONENT_URL_REQUIRED', message: 'A url is required' });
			if (!link && !premium && component.custom_id === undefined)
				errors.push({ path: [...path, 'custom_id'], code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', message: 'A custom id is required' });
			if (!link && component.url !== undefined)
				errors.push({ path: [...path, 'url'], code: 'BUTTON_COMPONENT_URL_NOT_ALLOWED', message: 'A url is not allowed' });
			if (typeof component.label === 'string' && component.label.length > 80)
				errors.push({ path: [...path, 'label'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 80 or fewer in length.' });
		}
		if (component.custom_id !== undefined) {
			const id = component.custom_id;
			if (typeof id !== 'string' || id.length < 1 || id.length > 100) errors.push(badLength([...path, 'custom_id'], 1, 100));
			else if (seen.has(id))
				errors.push({
					path: [...path, 'custom_id'],
					code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
					message: 'Component custom id was already specified'
				});
			else seen.set(id, path.join('.'));
		}
		// Components V2 layouts (containers, sections) nest children and an accessory.
		if (Array.isArray(component.components))
			component.components.forEach((child: unknown, index: number) => visit(child, [...path, 'components', index], false));
		if (component.accessory) visit(component.accessory, [...path, 'accessory'], false);
	};
	components.forEach((component, index) => {
		if (!v2 && component?.type !== ComponentType.ActionRow)
			errors.push({ path: ['components', index, 'type'], code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of (1,).' });
		visit(component, ['components', index], false);
	});
	if (v2 && total > 40) errors.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 40 or fewer in length.' });
	return errors;
}

/** Throws Discord's 50035 when `body.components` would be refused. */
export function validateComponents(body: any): void {
	const errors = componentErrors(body?.components, Number(body?.flags ?? 0));
	if (errors.length > 0) throw invalidFormFields(errors);
}
