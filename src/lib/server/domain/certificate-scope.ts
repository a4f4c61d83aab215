import type { ScopeItem, ScopeItemKind } from '../../../../db/schema';

/*
 * A certificate's structured scope (issue 12 item 4): the sites, service outlets and product
 * lines it covers. Extending adds items, reducing removes them; each is a decision with history
 * (the free-text scope stays beside them, for display and the registries). Pure: ids of new
 * items are given by the caller.
 */

export const SCOPE_ITEM_KINDS = [
	'site',
	'service_outlet',
	'product_line'
] as const satisfies readonly ScopeItemKind[];

export type { ScopeItem, ScopeItemKind };

/** A scope item as typed in, before it has an id. */
export interface NewScopeItem {
	kind: ScopeItemKind;
	name: string;
	address: string;
}

export type ScopeRefusal =
	/** Nothing to add (extend) or nothing to remove (reduce). */
	| 'scope_items_required'
	/** The same kind and name twice, or one the certificate already covers. */
	| 'scope_item_duplicate'
	/** Removing an item the certificate does not cover. */
	| 'scope_item_unknown'
	/** Removing every item: that is a withdrawal, not a reduction. */
	| 'scope_items_all_removed';

export type ScopeVerdict = { ok: true; items: ScopeItem[] } | { ok: false; reason: ScopeRefusal };

/** Two items are the same when kind and name match, ignoring case and inner spacing. */
function sameKey(item: { kind: ScopeItemKind; name: string }): string {
	return `${item.kind}:${item.name.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/**
 * The rows of a form (parallel lists of kind, name and address) as new items: rows left blank
 * (no name) are dropped, so a form may offer empty rows.
 */
export function scopeItemsFromRows(rows: {
	kinds: readonly ScopeItemKind[];
	names: readonly string[];
	addresses: readonly string[];
}): NewScopeItem[] {
	const items: NewScopeItem[] = [];
	rows.names.forEach((name, i) => {
		const kind = rows.kinds[i];
		if (!name.trim() || !kind) return;
		items.push({ kind, name: name.trim(), address: (rows.addresses[i] ?? '').trim() });
	});
	return items;
}

/** Extends `current` by `additions` (each with its new id), refusing duplicates. */
export function extendScope(
	current: readonly ScopeItem[],
	additions: readonly (NewScopeItem & { id: string })[]
): ScopeVerdict {
	if (additions.length === 0) return { ok: false, reason: 'scope_items_required' };
	const keys = new Set(current.map(sameKey));
	for (const item of additions) {
		const key = sameKey(item);
		if (keys.has(key)) return { ok: false, reason: 'scope_item_duplicate' };
		keys.add(key);
	}
	return { ok: true, items: [...current, ...additions] };
}

/** Reduces `current` by the items with `removeIds`; at least one stays. */
export function reduceScope(
	current: readonly ScopeItem[],
	removeIds: readonly string[]
): ScopeVerdict {
	if (removeIds.length === 0) return { ok: false, reason: 'scope_items_required' };
	const known = new Set(current.map((item) => item.id));
	if (removeIds.some((id) => !known.has(id))) return { ok: false, reason: 'scope_item_unknown' };
	const items = current.filter((item) => !removeIds.includes(item.id));
	if (items.length === 0) return { ok: false, reason: 'scope_items_all_removed' };
	return { ok: true, items };
}
