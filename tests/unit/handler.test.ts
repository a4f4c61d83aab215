import { describe, it, expect } from 'vitest';
import { crossSiteMutation } from '../../src/lib/server/trpc/handler';

const URL_ = 'https://certs.example.com/api/trpc/certificates.create';
const SAME_ORIGIN = 'https://certs.example.com';

function post(headers: Record<string, string>, url = URL_): Request {
	return new Request(url, { method: 'POST', headers, body: '{}' });
}

const json = { 'content-type': 'application/json' };

describe('crossSiteMutation: non-POST requests', () => {
	it('a plain GET is never cross-site', () => {
		expect(crossSiteMutation(new Request(URL_))).toBe(false);
	});

	it('a GET with a foreign Origin and Sec-Fetch-Site cross-site is still not a mutation', () => {
		const request = new Request(URL_, {
			headers: {
				origin: 'https://evil.example',
				'sec-fetch-site': 'cross-site',
				'content-type': 'text/plain'
			}
		});
		expect(crossSiteMutation(request)).toBe(false);
	});

	it('a HEAD request is not a mutation', () => {
		expect(
			crossSiteMutation(
				new Request(URL_, { method: 'HEAD', headers: { origin: 'https://evil.example' } })
			)
		).toBe(false);
	});
});

describe('crossSiteMutation: POST content type', () => {
	it('accepts application/json from the same origin', () => {
		expect(crossSiteMutation(post({ ...json, origin: SAME_ORIGIN }))).toBe(false);
	});

	it.each([
		'application/json; charset=utf-8',
		'application/json;charset=UTF-8',
		'Application/JSON',
		'APPLICATION/JSON; charset=utf-8'
	])('accepts %j (parameters and case do not matter)', (contentType) => {
		expect(crossSiteMutation(post({ 'content-type': contentType, origin: SAME_ORIGIN }))).toBe(
			false
		);
	});

	it.each([
		'application/x-www-form-urlencoded',
		'multipart/form-data; boundary=----x',
		'text/plain',
		'text/plain;charset=UTF-8',
		'text/json',
		'application/xml',
		'json'
	])('refuses %j even from the same origin', (contentType) => {
		expect(crossSiteMutation(post({ 'content-type': contentType, origin: SAME_ORIGIN }))).toBe(
			true
		);
		expect(
			crossSiteMutation(post({ 'content-type': contentType, 'sec-fetch-site': 'same-origin' }))
		).toBe(true);
	});

	it('refuses a POST without a content type', () => {
		const request = new Request(URL_, { method: 'POST', headers: { origin: SAME_ORIGIN } });
		expect(request.headers.get('content-type')).toBeNull();
		expect(crossSiteMutation(request)).toBe(true);
	});

	it('refuses a POST whose string body gets the default text/plain content type', () => {
		const request = new Request(URL_, { method: 'POST', body: '{"a":1}' });
		expect(crossSiteMutation(request)).toBe(true);
	});
});

describe('crossSiteMutation: Origin header', () => {
	it.each([
		['another site', 'https://evil.example'],
		['a sibling subdomain', 'https://evil.example.com'],
		['a subdomain of this host', 'https://sub.certs.example.com'],
		['the parent domain', 'https://example.com'],
		['another scheme', 'http://certs.example.com'],
		['another port', 'https://certs.example.com:8443'],
		['the opaque origin "null"', 'null'],
		['a look-alike with a trailing dot', 'https://certs.example.com.']
	])('refuses JSON from %s', (_label, origin) => {
		expect(crossSiteMutation(post({ ...json, origin }))).toBe(true);
	});

	it('accepts the same origin with the default port written out in the request URL', () => {
		expect(
			crossSiteMutation(
				post({ ...json, origin: SAME_ORIGIN }, 'https://certs.example.com:443/api/trpc/x')
			)
		).toBe(false);
	});

	it('accepts a same-origin request on a non-default port', () => {
		expect(
			crossSiteMutation(
				post(
					{ ...json, origin: 'http://localhost:5173' },
					'http://localhost:5173/api/trpc/x?batch=1'
				)
			)
		).toBe(false);
	});

	it('lets Origin decide over Sec-Fetch-Site when both are present', () => {
		expect(
			crossSiteMutation(post({ ...json, origin: SAME_ORIGIN, 'sec-fetch-site': 'cross-site' }))
		).toBe(false);
		expect(
			crossSiteMutation(
				post({ ...json, origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' })
			)
		).toBe(true);
	});
});

describe('crossSiteMutation: Sec-Fetch-Site without Origin', () => {
	it('accepts same-origin', () => {
		expect(crossSiteMutation(post({ ...json, 'sec-fetch-site': 'same-origin' }))).toBe(false);
	});

	// "none": the person started the request themselves (address bar, bookmark); no site did.
	it('accepts none', () => {
		expect(crossSiteMutation(post({ ...json, 'sec-fetch-site': 'none' }))).toBe(false);
	});

	it.each(['same-site', 'cross-site', 'SAME-ORIGIN', 'garbage'])('refuses %j', (site) => {
		expect(crossSiteMutation(post({ ...json, 'sec-fetch-site': site }))).toBe(true);
	});
});

describe('crossSiteMutation: neither Origin nor Sec-Fetch-Site', () => {
	it('accepts a JSON POST (a non-browser client such as curl or a test)', () => {
		expect(crossSiteMutation(post(json))).toBe(false);
	});

	it('still refuses a non-JSON POST', () => {
		expect(crossSiteMutation(post({ 'content-type': 'application/x-www-form-urlencoded' }))).toBe(
			true
		);
	});
});
