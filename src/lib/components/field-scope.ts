import { getContext, setContext } from 'svelte';

/**
 * What the fields of one form share: the prefix of their ids, the submitted values a failure
 * returns and its errors, each keyed by the field's name. A form sets it once; every `Field` in
 * it then finds its id, value and error from its `name` alone.
 */
export interface FieldScope {
	readonly prefix: string;
	readonly values: Readonly<Record<string, unknown>>;
	readonly errors: Readonly<Record<string, string | undefined>>;
}

const key = Symbol('field-scope');

/** `read` is called as the fields render, so that they follow the form's values and errors. */
export const setFieldScope = (read: () => FieldScope): void => {
	setContext(key, read);
};

export const getFieldScope = (): (() => FieldScope) | undefined =>
	getContext<(() => FieldScope) | undefined>(key);
