import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Where upstream calls may go, from the `security.*` settings. */
export interface DestinationPolicy {
  allowLoopback: boolean;
  /** Host names (`*.corp.example` wildcards), IP addresses or CIDR ranges allowed although private. */
  allowedPrivateHosts: string[];
}

/** Refusals carry this code so they survive being wrapped by fetch/undici/SDK errors. */
export class BlockedDestinationError extends Error {
  readonly code = 'SB_BLOCKED_DESTINATION';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedDestinationError';
  }
}

const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254', 'fd00:ec2::23', '169.254.169.254', '169.254.170.2']);
const ALWAYS_REFUSED_V4 = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'reserved']);
const ALWAYS_REFUSED_V6 = new Set(['unspecified', 'linkLocal', 'multicast', 'reserved', 'discard', 'teredo', 'benchmarking', 'orchid2']);
const PRIVATE_V4 = new Set(['private', 'carrierGradeNat', 'as112', 'amt']);
const PRIVATE_V6 = new Set(['uniqueLocal', 'deprecatedSiteLocal', 'as112v6', 'amt']);

/**
 * Checks an admin-supplied URL before anything connects: only http(s), no user:password@ (the
 * classic `https://api.example.com@127.0.0.1` trick), no odd spellings of IP addresses (`127.1`,
 * `2130706433`, `0x7f000001`, `[::ffff:127.0.0.1]`), no metadata host names, and IP literals
 * checked like resolved addresses. Returns the parsed URL.
 */
export function checkUrl(raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedDestinationError(`${raw.slice(0, 100)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedDestinationError(`only http and https endpoints are allowed, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) {
    throw new BlockedDestinationError('URLs with user:password@ are refused: put the credential in api_key');
  }
  const hostname = bareHost(url.hostname);
  if (isIP(hostname) === 6 && ipaddr.IPv6.parse(hostname).isIPv4MappedAddress()) {
    const v4 = ipaddr.IPv6.parse(hostname).toIPv4Address().toString();
    throw new BlockedDestinationError(`${url.hostname} is an IPv4 address in IPv6 form: write ${v4} itself`);
  }
  const written = isIP(hostname) ? writtenHost(raw) : null;
  if (written !== null && written !== url.hostname.toLowerCase()) {
    throw new BlockedDestinationError(`${written} is an unusual spelling of ${hostname}: write the address as ${hostname}`);
  }
  const name = hostname.replace(/\.$/, '').toLowerCase();
  if (METADATA_HOSTS.has(name)) throw new BlockedDestinationError(`${name} is a cloud metadata service and is always refused`);
  if (isIP(hostname)) {
    const refusal = refusalFor(hostname, name, policy);
    if (refusal) throw new BlockedDestinationError(refusal);
  }
  return url;
}

/**
 * Why an address (literal or resolved from `hostname`) may not be reached, or null when it may.
 * Metadata and link-local targets are refused whatever the settings say.
 */
export function refusalFor(address: string, hostname: string, policy: DestinationPolicy): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  const shown = hostname && hostname !== address ? `${hostname} (${address})` : address;
  const embedded = embeddedIPv4(parsed);
  const reason = classify(embedded ?? parsed, hostname, policy);
  if (!reason) return null;
  return embedded ? `${shown} embeds ${embedded.toString()}, ${reason}` : `${shown} is ${reason}`;
}

const RANGE_WORDS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  reserved: 'a reserved address',
};

function classify(address: ipaddr.IPv4 | ipaddr.IPv6, hostname: string, policy: DestinationPolicy): string | null {
  if (METADATA_ADDRESSES.has(address.toString()) || METADATA_ADDRESSES.has(address.toNormalizedString())) {
    return 'a cloud metadata address, always refused';
  }
  const range = address.range();
  const v4 = address.kind() === 'ipv4';
  if ((v4 ? ALWAYS_REFUSED_V4 : ALWAYS_REFUSED_V6).has(range)) return `${RANGE_WORDS[range] ?? `a ${range} address`}, always refused`;
  if (range === 'loopback') {
    return policy.allowLoopback ? null : 'a loopback address, refused while the setting security.allow_loopback_endpoints is off';
  }
  if ((v4 ? PRIVATE_V4 : PRIVATE_V6).has(range) && !allowListed(address, hostname, policy.allowedPrivateHosts)) {
    return 'a private address: add the host or its range to the setting security.allowed_private_hosts to allow it';
  }
  return null;
}

/** The IPv4 address hidden in an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIPv4(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.kind() !== 'ipv6') return null;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const bytes = v6.toByteArray();
  const range = v6.range();
  if (range === 'rfc6052' || range === 'rfc6145') return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
  if (range === '6to4') return ipaddr.fromByteArray(bytes.slice(2, 6)) as ipaddr.IPv4;
  const compatible = bytes.slice(0, 12).every((b) => b === 0) && bytes.slice(12).some((b) => b !== 0) && range !== 'loopback';
  return compatible ? (ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4) : null;
}

function allowListed(address: ipaddr.IPv4 | ipaddr.IPv6, hostname: string, entries: string[]): boolean {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    if (entry.includes('/')) {
      try {
        const [range, bits] = ipaddr.parseCIDR(entry);
        return range.kind() === address.kind() && address.match(range, bits);
      } catch {
        return false;
      }
    }
    if (ipaddr.isValid(bareHost(entry))) return ipaddr.parse(bareHost(entry)).toString() === address.toString();
    return entry === host;
  });
}

const bareHost = (host: string) => host.replace(/^\[|\]$/g, '');

/** The host exactly as written in the URL text, before the URL parser normalised it. */
function writtenHost(raw: string): string | null {
  const authority = /^[a-z][a-z0-9+.-]*:[/\\]{2}([^/?#\\]*)/i.exec(raw.trim())?.[1];
  if (authority === undefined) return null;
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase();
  const colon = host.lastIndexOf(':');
  return (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
}
