import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The guarantee of issue 18: no user-facing text bypasses i18n. The built code (dist/, what runs) is parsed and every
 * place where text reaches a Discord user is checked for literal words: message content (reply, editReply, followUp,
 * update, send), embed and component text (setTitle, setDescription, setFooter, setAuthor, addFields, setLabel,
 * setPlaceholder), and refusals (new UserError({ message }), a precondition's this.error({ message })). Logs, custom
 * ids, command names and language keys are not user text and are not looked at, so a finding is a real one: its file
 * and line are named.
 */
const DIST = join(import.meta.dirname, '../../../dist');

/** Calls whose first argument is shown to the user as is (a string or a message payload). */
const MESSAGE_CALLS = new Set(['reply', 'editReply', 'followUp', 'update', 'send', 'sendAnnouncement', 'sendDirect', 'refuse']);
/** Builder calls whose argument is shown text. */
const TEXT_CALLS = new Set(['setTitle', 'setDescription', 'setLabel', 'setPlaceholder']);
/** Calls taking objects whose properties are shown text. */
const OBJECT_CALLS: Record<string, readonly string[]> = {
	setFooter: ['text'],
	setAuthor: ['name'],
	addFields: ['name', 'value'],
	setFields: ['name', 'value'],
	error: ['message']
};
const PAYLOAD_PROPERTIES = ['content'];
/** Plain functions whose first argument is a command's registered description. */
const DESCRIPTION_FUNCTIONS = new Set(['guildCommand', 'adminCommand']);
/** `hash.update(...)` is crypto, not Discord's interaction.update. */
const NOT_DISCORD = /\bcreate(?:Hash|Hmac)\(/;
/** `namespace:key`: a language key, not text. */
const LANGUAGE_KEY = /^[a-z-]+:[\w.-]+$/;
/** Words: two letters in a row (emoji, punctuation, markdown and ids are not words). */
const WORDS = /\p{L}{2,}/u;

interface Finding {
	file: string;
	line: number;
	text: string;
}

function builtFiles(directory: string): string[] {
	return readdirSync(directory).flatMap((name) => {
		const path = join(directory, name);
		if (statSync(path).isDirectory()) return builtFiles(path);
		return path.endsWith('.js') ? [path] : [];
	});
}

/** The literal text of an expression, if it can be nothing else: branches of ?:, ||, ?? and + are followed. */
function literalTexts(node: ts.Expression): ts.Node[] {
	if (ts.isParenthesizedExpression(node)) return literalTexts(node.expression);
	if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return isText(node.text) ? [node] : [];
	if (ts.isTemplateExpression(node)) {
		const fixed = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
		return isText(fixed) ? [node] : [];
	}
	if (ts.isConditionalExpression(node)) return [...literalTexts(node.whenTrue), ...literalTexts(node.whenFalse)];
	if (ts.isBinaryExpression(node)) {
		const { kind } = node.operatorToken;
		if (kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.PlusToken)
			return [...literalTexts(node.left), ...literalTexts(node.right)];
	}
	return [];
}

function isText(value: string): boolean {
	return !LANGUAGE_KEY.test(value.trim()) && WORDS.test(value);
}

function propertyTexts(node: ts.Expression, names: readonly string[]): ts.Node[] {
	if (!ts.isObjectLiteralExpression(node)) return [];
	return node.properties.flatMap((property) =>
		ts.isPropertyAssignment(property) && names.includes(property.name.getText()) ? literalTexts(property.initializer) : []
	);
}

function findLiteralText(file: string): Finding[] {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
	const found: ts.Node[] = [];
	const visit = (node: ts.Node) => {
		if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && DESCRIPTION_FUNCTIONS.has(node.expression.text) && node.arguments[0])
			found.push(...literalTexts(node.arguments[0]));
		if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && !NOT_DISCORD.test(node.expression.expression.getText())) {
			const name = node.expression.name.text;
			const args = node.arguments;
			// Text as such only first (a wrapper's later string arguments are kinds and ids); payload objects anywhere.
			if (MESSAGE_CALLS.has(name))
				for (const [index, arg] of args.entries())
					found.push(...(index === 0 ? literalTexts(arg) : []), ...propertyTexts(arg, PAYLOAD_PROPERTIES));
			if (TEXT_CALLS.has(name) && args[0]) found.push(...literalTexts(args[0]));
			if (OBJECT_CALLS[name]) for (const arg of args) found.push(...propertyTexts(arg, OBJECT_CALLS[name]));
		}
		if (ts.isNewExpression(node) && node.expression.getText() === 'UserError')
			for (const arg of node.arguments ?? []) found.push(...propertyTexts(arg, ['message']));
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found.map((node) => ({
		file: relative(DIST, file),
		line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
		text: node.getText().slice(0, 80)
	}));
}

describe('user-facing text goes through i18n', () => {
	it.runIf(existsSync(DIST))('no reply, embed, button or refusal in dist/ carries literal words', () => {
		const findings = builtFiles(DIST).flatMap(findLiteralText);
		expect(findings.map((finding) => `dist/${finding.file}:${finding.line} ${finding.text}`)).toEqual([]);
	});

	it('finds literal text where it is, and only there', () => {
		const probe = join(import.meta.dirname, '__probe__.js');
		// The probe is JavaScript source: its template literals are text, not this file's.
		/* eslint-disable no-template-curly-in-string */
		const code = [
			"interaction.reply({ content: 'Hello there' });",
			'interaction.editReply(`Giveaway ${id} ended`);',
			"embed.setTitle(ok ? t('giveaways:list.title') : 'Fallback title');",
			"throw new UserError({ identifier: 'x', message: 'Nope, not allowed' });",
			"logger.warn('Logs are for operators');",
			"interaction.reply({ content: t('common:languageSet') });",
			"button.setCustomId('giveaway-enter:abc').setLabel(t('giveaways:message.enter'));",
			'embed.setTitle(`🎉 ${prize}`);',
			"createHash('sha256').update(`supreme-bot2 giveaway ${id}`);",
			"export const options = adminCommand('Show the data');"
		].join('\n');
		/* eslint-enable no-template-curly-in-string */
		const findings = withFile(probe, code, () => findLiteralText(probe));
		expect(findings.map((finding) => finding.line)).toEqual([1, 2, 3, 4, 10]);
	});
});

function withFile<T>(path: string, content: string, run: () => T): T {
	writeFileSync(path, content);
	try {
		return run();
	} finally {
		rmSync(path, { force: true });
	}
}
