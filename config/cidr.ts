/** IPv4 address and CIDR arithmetic (pure): the firewall rules' and the network block's checks, and the tests. */

const OCTETS = String.raw`(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
/** A dotted-quad IPv4 address. */
export const IPV4 = new RegExp(`^${OCTETS}$`);
const CIDR = new RegExp(`^${OCTETS}\\/(\\d|[12]\\d|3[0-2])$`);

/** An IPv4 address as a number, for comparing addresses. */
export function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export interface CidrRange {
  first: number;
  last: number;
  prefix: number;
}

export function parseCidr(cidr: string): CidrRange | undefined {
  if (!CIDR.test(cidr)) return undefined;
  const [ip, len] = cidr.split("/");
  const prefix = Number(len);
  const base = ipv4ToNumber(ip);
  const size = 2 ** (32 - prefix);
  return { first: base, last: base + size - 1, prefix };
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The network address of a CIDR (what Azure expects: host bits zero). */
export function canonicalCidr(cidr: string): string | undefined {
  const r = parseCidr(cidr);
  if (!r) return undefined;
  const size = 2 ** (32 - r.prefix);
  return `${formatIp(Math.floor(r.first / size) * size)}/${r.prefix}`;
}

export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return Boolean(o && i && i.first >= o.first && i.last <= o.last);
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return Boolean(x && y && x.first <= y.last && y.first <= x.last);
}

/** RFC 1918's private ranges (10/8, 172.16/12, 192.168/16). */
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * Whether a block lies inside RFC 1918's private ranges, as Microsoft recommends for virtual networks (Cloud
 * Adoption Framework, "Plan for IP addressing", https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/plan-for-ip-addressing);
 * every such block also avoids the ranges Azure forbids (multicast, loopback, link-local, 168.63.129.16).
 */
export function isRfc1918(cidr: string): boolean {
  return RFC1918.some((range) => cidrContains(range, cidr));
}
