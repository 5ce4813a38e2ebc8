// IPv4 address and CIDR arithmetic for the rig (pod network checks): the one copy.

/** Whether `text` is a dotted-quad IPv4 address. */
export const isIpv4 = (text: string): boolean =>
    /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && text.split(".").every((octet) => Number(octet) <= 255);

/** The address as an unsigned 32-bit number. */
export const ipv4ToInt = (addr: string): number => addr.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

/** First and last address of a CIDR block (host bits of its address ignored); a bare address is a /32. */
export function cidrRange(cidr: string): [number, number] {
    const [addr, bits = "32"] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4ToInt(addr) / size) * size;
    return [start, start + size - 1];
}

export function cidrOverlaps(a: string, b: string): boolean {
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}

/** Whether the IPv4 address `ip` lies inside `cidr` (false for anything that is not an IPv4 address). */
export function cidrContains(cidr: string, ip: string): boolean {
    if (!isIpv4(ip)) return false;
    const [start, end] = cidrRange(cidr);
    const n = ipv4ToInt(ip);
    return start <= n && n <= end;
}
