import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from '../../src/lib/server/audit-actions';

/*
 * Every action and entity type a service or job writes is in the audit vocabulary, so the
 * history panels and /audit name it in words (the messages are checked in
 * tests/integration/audit-trail.test.ts) instead of printing `obligation.submit`.
 */

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sources(path);
		return /\.ts$/.test(name) ? [path] : [];
	});
}

const files = [...sources(join(root, 'src/lib/server')), ...sources(join(root, 'jobs'))];
const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');

/** `auditAs(tx, actor, 'entity.verb', 'entity_type', …)`, the actions of a ternary included. */
function written(): { actions: Set<string>; types: Set<string> } {
	const actions = new Set<string>();
	const types = new Set<string>();
	for (const call of text.matchAll(/auditAs\(([\s\S]{0,300})/g)) {
		const literals = [...call[1]!.matchAll(/'([a-z_]+(?:\.[a-z_]+)?)'/g)].map((m) => m[1]!);
		// A computed action (a template) is checked where it is spelled out; skip the call.
		if (!literals[0]?.includes('.')) continue;
		const type = literals.findIndex((literal) => !literal.includes('.'));
		if (type < 1) continue;
		for (const action of literals.slice(0, type)) actions.add(action);
		types.add(literals[type]!);
	}
	for (const match of text.matchAll(/action: '([a-z_]+\.[a-z_]+)'/g)) actions.add(match[1]!);
	for (const match of text.matchAll(/entityType: '([a-z_]+)'/g)) types.add(match[1]!);
	return { actions, types };
}

describe('the audit vocabulary', () => {
	const { actions, types } = written();

	it('holds every action the services and jobs write', () => {
		expect(actions.size).toBeGreaterThan(20);
		expect(
			[...actions].filter((action) => !(AUDIT_ACTIONS as readonly string[]).includes(action))
		).toEqual([]);
	});

	it('holds every entity type they write', () => {
		expect(types.has('obligation_due_item')).toBe(true);
		expect(
			[...types].filter((type) => !(AUDIT_ENTITY_TYPES as readonly string[]).includes(type))
		).toEqual([]);
	});
});
